"""The report page's words in the shop's language (ru, en); English for any other."""

from __future__ import annotations

_RU = {
    "title": "Отчёт о работе чатов", "period": "Период", "made": "Сформирован",
    "new": "Новых диалогов", "spam": "Спам", "bot_first": "Первый ответ бота",
    "manager_first": "Первый ответ менеджера", "p50_p90": "медиана · 90% быстрее",
    "paid": "Оплаченных заказов", "nps": "NPS", "breaches": "Нарушений SLA",
    "funnel": "Воронка: от чата до оплаты", "funnel_new": "Новые диалоги",
    "funnel_qualified": "Прошли первый шаг", "funnel_task": "Задача менеджеру",
    "funnel_order_created": "Заказ создан", "funnel_paid": "Оплачен",
    "funnel_delivered": "Доставлен", "of_new": "от новых",
    "managers": "Менеджеры: среднее время ответа", "manager": "Менеджер", "dialogs": "Диалогов",
    "messages": "Сообщений", "avg_min": "Ответ, мин", "sla": "SLA",
    "late_answers": "поздних ответов", "unanswered_waits": "ожиданий без ответа",
    "closes": "Закрытия по причинам", "close_spam": "спам", "close_thanks": "«спасибо»",
    "close_no_reply": "нет ответа", "close_bot_blocked": "бот заблокирован",
    "close_refused": "отказ", "close_completed": "выполнено", "close_manual": "вручную",
    "followups": "Дожимы и напоминания", "nudges_sent": "Дожимов отправлено",
    "nudges_replied": "Клиент ответил", "nudges_ordered": "Оформил заказ",
    "orders": "Заказов", "reminded": "С напоминанием об оплате",
    "paid_after_reminder": "Оплачено после напоминания", "overdue_tasks": "Задач «не оплачен»",
    "ratings": "Оценки клиентов (NPS)", "promoters": "Промоутеры 9–10",
    "passives": "Нейтральные 7–8", "detractors": "Критики 0–6", "answers": "Оценок",
    "average": "Средняя", "look": "Диалоги, на которые стоит взглянуть", "when": "Когда",
    "why": "Что", "customer": "Клиент", "channel": "Канал", "detail": "Подробности",
    "why_spam": "Закрыт как спам", "why_review": "Автозакрытие на проверку",
    "why_breach": "Поздний ответ менеджера", "why_wait": "Клиент ждал ответа",
    "nothing": "Нет таких диалогов за период.", "none": "нет данных",
    "other": "Прочее", "templates": "Шаблонов WhatsApp", "skipped": "Не отправлено",
    "llm_calls": "Вопросов к ИИ", "llm_fallbacks": "ИИ не ответил", "min": "мин", "s": "с",
    "no_closes": "Закрытий за период нет.",
    "report_usage": "Отчёт за сегодня: /report. За период: /report week, /report month или "
                    "/report 3 (дней, до 90).",
}  # fmt: skip
_EN = {
    "title": "Chat audit", "period": "Period", "made": "Made",
    "new": "New dialogs", "spam": "Spam", "bot_first": "Bot's first answer",
    "manager_first": "Manager's first answer", "p50_p90": "median · 90% faster than",
    "paid": "Paid orders", "nps": "NPS", "breaches": "SLA breaches",
    "funnel": "Funnel: from chat to payment", "funnel_new": "New dialogs",
    "funnel_qualified": "Past the first step", "funnel_task": "Task for a manager",
    "funnel_order_created": "Order created", "funnel_paid": "Paid",
    "funnel_delivered": "Delivered", "of_new": "of new",
    "managers": "Managers: average answer time", "manager": "Manager", "dialogs": "Dialogs",
    "messages": "Messages", "avg_min": "Answer, min", "sla": "SLA",
    "late_answers": "late answers", "unanswered_waits": "waits with no answer",
    "closes": "Closes by reason", "close_spam": "spam", "close_thanks": "thanks",
    "close_no_reply": "no reply", "close_bot_blocked": "bot blocked",
    "close_refused": "refused", "close_completed": "completed", "close_manual": "manual",
    "followups": "Nudges and reminders", "nudges_sent": "Nudges sent",
    "nudges_replied": "Customer replied", "nudges_ordered": "Ordered",
    "orders": "Orders", "reminded": "Reminded to pay",
    "paid_after_reminder": "Paid after a reminder", "overdue_tasks": "Overdue tasks",
    "ratings": "Customer ratings (NPS)", "promoters": "Promoters 9–10",
    "passives": "Passives 7–8", "detractors": "Detractors 0–6", "answers": "Ratings",
    "average": "Average", "look": "Dialogs worth a look", "when": "When",
    "why": "What", "customer": "Customer", "channel": "Channel", "detail": "Detail",
    "why_spam": "Closed as spam", "why_review": "Auto-close sent to review",
    "why_breach": "Late manager answer", "why_wait": "Customer waited",
    "nothing": "No such dialogs in the period.", "none": "no data",
    "other": "Other", "templates": "WhatsApp templates", "skipped": "Not sent",
    "llm_calls": "LLM questions", "llm_fallbacks": "LLM failed", "min": "min", "s": "s",
    "no_closes": "No closes in the period.",
    "report_usage": "Today's report: /report. Longer: /report week, /report month or "
                    "/report 3 (days, up to 90).",
}  # fmt: skip


def words(lang: str) -> dict[str, str]:
    """The page's words in `lang`."""
    return _RU if lang == "ru" else _EN
