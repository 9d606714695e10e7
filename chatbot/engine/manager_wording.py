"""The built-in texts the bot writes to managers, per language (flows/managers/ may change them)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Wording:
    """Every text of the managers' side; `{placeholders}` are filled by the renderers."""

    kinds: dict[str, str]
    take: str
    done: str
    back: str
    task: str
    customer: str
    channel: str
    stage: str
    reason: str
    recent: str
    status_open: str
    status_taken: str
    status_done: str
    status_cancelled: str
    sla_alert: str
    on_duty: str
    nobody_on_duty: str
    supervisor_alert: str
    relay: str
    tasks_title: str
    no_tasks: str
    waits: str
    held_by: str
    sla_title: str
    sla_line: str
    sla_nobody: str
    sla_alerts: str
    sla_untaken: str
    minutes: str
    spam_title: str
    spam_none: str
    spam_line: str
    spam_returned: str
    spam_more: str
    spam_usage: str
    unspam: str
    took: str
    yours_already: str
    taken_by: str
    closed_done: str
    closed_back: str
    already_closed: str
    not_found: str
    stale_button: str
    refuse_button: str
    refuse_message: str
    not_delivered: str
    which_dialog: str
    text_only: str
    media_unsupported: str
    media_too_big: str
    media_unshown: str
    media_failed: str
    unspam_done: str
    unspam_already: str


_RU_KINDS = {
    "lead": "лид",
    "question": "вопрос",
    "human": "просит менеджера",
    "complaint": "жалоба",
    "payment_overdue": "не оплачен заказ",
    "negative_feedback": "низкая оценка",
    "follow_up": "напомнить",
    "supervisor_review": "проверка руководителем",
}
_EN_KINDS = {
    "lead": "lead",
    "question": "question",
    "human": "asks for a manager",
    "complaint": "complaint",
    "payment_overdue": "unpaid order",
    "negative_feedback": "low rating",
    "follow_up": "follow up",
    "supervisor_review": "supervisor review",
}

RU = Wording(
    kinds=_RU_KINDS,
    take="✋ Взять",
    done="✅ Готово",
    back="🤖 Вернуть боту",
    task="Задача #{id}",
    customer="Клиент",
    channel="Канал",
    stage="этап",
    reason="Причина",
    recent="Последние сообщения:",
    status_open="⏳ Ждёт менеджера",
    status_taken="🙋 Взял(а) {manager}",
    status_done="✅ Закрыта — {manager}",
    status_cancelled="✖️ Отменена",
    sla_alert="⏰ <b>Задача #{id}</b> не взята: {reason}.",
    on_duty="На связи сегодня: {names}",
    nobody_on_duty="Сегодня задачи ещё никто не брал — возьмите, пожалуйста.",
    supervisor_alert="🚨 <b>Эскалация</b>: {reason}.",
    relay="💬 <b>{customer}</b> (#{id}):",
    tasks_title="Открытые задачи: {count}",
    no_tasks="Открытых задач нет.",
    waits="ждёт {minutes}",
    held_by="у {manager}",
    sla_title="SLA за сегодня, {date}:",
    sla_line="{manager} — ответов {answers}, в среднем {average}, максимум {longest}, "
    "просрочено {breaches}",
    sla_nobody="Сегодня менеджеры ещё не отвечали клиентам.",
    sla_alerts="Напоминаний о невзятых задачах: {sla}, эскалаций руководителю: {supervisor}",
    sla_untaken="Сейчас не взято: {count}",
    minutes="{n} мин",
    spam_title="🚫 <b>Закрыто как спам с {date}: {count}</b>",
    spam_none="С {date} никого не закрыли как спам.",
    spam_line="{n}. <b>{customer}</b> · {channel} · {at}\n«{text}»",
    spam_returned="✅ уже возвращён",
    spam_more="… и ещё {count}, более ранние",
    spam_usage="Спам за сегодня: /spam. За период: /spam week, /spam month или /spam 3 "
    "(дней, до 90).",
    unspam="{n}. Не спам — вернуть",
    took="Задача #{id} ваша",
    yours_already="Задача уже у вас",
    taken_by="Задачу уже взял(а) {manager}",
    closed_done="Готово, задача закрыта",
    closed_back="Диалог снова ведёт бот",
    already_closed="Задача уже закрыта",
    not_found="Задача не найдена",
    stale_button="Эта кнопка больше не работает",
    refuse_button="Извините, эти кнопки только для менеджеров магазина.",
    refuse_message="Извините, отвечать клиентам и смотреть задачи могут только менеджеры магазина.",
    not_delivered="⚠️ Не доставлено: клиент заблокировал бота.",
    which_dialog="Не понял, кому ответ: ответьте на карточку задачи или на сообщение клиента.",
    text_only="Клиенту можно переслать текст, фото или файл.",
    media_unsupported="Клиенту в WhatsApp можно переслать фото, видео, голосовое или файл; "
    "это сообщение не дошло.",
    media_too_big="⚠️ Файл не переслан: {size} МБ, а можно до {limit} МБ. Попросите клиента "
    "прислать его иначе или ответьте текстом.",
    media_unshown="⚠️ Клиент прислал {kind}: такое сообщение сюда не переслать.",
    media_failed="⚠️ Не удалось переслать файл: {reason}",
    unspam_done="Вернули: бот ответит на следующее сообщение клиента {customer}",
    unspam_already="Этого клиента уже вернули",
)

EN = Wording(
    kinds=_EN_KINDS,
    take="✋ Take",
    done="✅ Done",
    back="🤖 Return to bot",
    task="Task #{id}",
    customer="Customer",
    channel="Channel",
    stage="stage",
    reason="Reason",
    recent="Last messages:",
    status_open="⏳ Waiting for a manager",
    status_taken="🙋 Taken by {manager}",
    status_done="✅ Closed by {manager}",
    status_cancelled="✖️ Cancelled",
    sla_alert="⏰ <b>Task #{id}</b> is not taken: {reason}.",
    on_duty="On duty today: {names}",
    nobody_on_duty="Nobody has taken a task today yet; please take it.",
    supervisor_alert="🚨 <b>Escalation</b>: {reason}.",
    relay="💬 <b>{customer}</b> (#{id}):",
    tasks_title="Open tasks: {count}",
    no_tasks="No open tasks.",
    waits="waiting {minutes}",
    held_by="with {manager}",
    sla_title="SLA today, {date}:",
    sla_line="{manager}: {answers} answers, average {average}, longest {longest}, late {breaches}",
    sla_nobody="No manager has answered a customer today yet.",
    sla_alerts="Reminders about untaken tasks: {sla}, escalations to the supervisor: {supervisor}",
    sla_untaken="Not taken now: {count}",
    minutes="{n} min",
    spam_title="🚫 <b>Closed as spam since {date}: {count}</b>",
    spam_none="Nobody was closed as spam since {date}.",
    spam_line="{n}. <b>{customer}</b> · {channel} · {at}\n“{text}”",
    spam_returned="✅ already reopened",
    spam_more="… and {count} older",
    spam_usage="Spam closes today: /spam. Longer: /spam week, /spam month or /spam 3 "
    "(days, up to 90).",
    unspam="{n}. Not spam — reopen",
    took="Task #{id} is yours",
    yours_already="The task is already yours",
    taken_by="Already taken by {manager}",
    closed_done="Done, the task is closed",
    closed_back="The bot leads the dialog again",
    already_closed="The task is already closed",
    not_found="Task not found",
    stale_button="This button no longer works",
    refuse_button="Sorry, these buttons are for the shop's managers only.",
    refuse_message="Sorry, only the shop's managers can answer customers and see tasks.",
    not_delivered="⚠️ Not delivered: the customer blocked the bot.",
    which_dialog="Which customer is this for? Reply to a task card or to a customer's message.",
    text_only="Only text, photos and files can be passed on to the customer.",
    media_unsupported="A WhatsApp customer can be sent photos, videos, voice messages and "
    "files; this message did not go.",
    media_too_big="⚠️ The file was not passed on: {size} MB, the limit is {limit} MB. Ask the "
    "customer to send it another way, or answer in text.",
    media_unshown="⚠️ The customer sent a {kind}, which cannot be shown here.",
    media_failed="⚠️ The file could not be passed on: {reason}",
    unspam_done="Reopened: the bot answers the next message of {customer}",
    unspam_already="This customer was already reopened",
)
