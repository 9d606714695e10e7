"""The engine on the shipped flows: each default business rule, driven without IO."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from chatbot.core.effects import (
    Alert,
    CancelTimer,
    Close,
    CreateTask,
    Flag,
    Handoff,
    Reply,
    SetTimer,
    SkippedReply,
    StageChanged,
    TemplateCall,
    TimerDone,
    Unflag,
    UpdateTasks,
)
from chatbot.core.events import (
    Blocked,
    CrmEvent,
    ManagerAction,
    ManagerMessage,
    SpamCleared,
    TimerFired,
)
from chatbot.core.state import DialogState, Facts
from chatbot.engine.whatsapp_window import NO_TEMPLATE
from tests.engine.driver import Driver, chose, said

ORDER = {"order_id": "A-17", "amount": "2500", "pay_url": "https://pay.example/A-17"}


def replies(effects: list[object]) -> list[str]:
    return [e.key for e in effects if isinstance(e, Reply)]


def test_spam_first_message_closes_without_task(dialog: Driver) -> None:
    effects = dialog.send(said("other", emojis=5))
    assert Flag("spammer") in effects
    assert Close("spam") in effects
    assert not [e for e in effects if isinstance(e, CreateTask | Reply)]
    assert dialog.state.closed_at == dialog.now  # for managers' /spam review
    # a known spammer writing again gets nothing
    assert not [e for e in dialog.send(said("greeting")) if isinstance(e, Reply)]


def test_a_cleared_spam_close_serves_the_customer_as_new(dialog: Driver) -> None:
    dialog.send(said("other", emojis=5))
    assert dialog.send(SpamCleared("anna")) == [Unflag("spammer")]
    assert "spammer" not in dialog.state.flags
    assert dialog.state.closed  # the next message reopens it
    effects = dialog.send(said("other", "хочу шарики 🎉🎈🎂🥳🎁", emojis=5))
    assert Close("spam") not in effects
    assert not dialog.state.closed
    assert dialog.state.closed_at is None
    assert [e for e in effects if isinstance(e, Reply)]


def test_greeting_shows_menu_and_choice_asks_details(dialog: Driver) -> None:
    effects = dialog.send(said("greeting", emojis=1))
    menu = next(e for e in effects if isinstance(e, Reply))
    assert menu.key == "menu_main"
    assert [b.id for b in menu.buttons] == ["order", "status", "delivery", "payment"]
    assert dialog.state.menu == "main"
    effects = dialog.send(chose("order", "agree"))
    assert replies(effects) == ["ask_order_details"]
    assert dialog.state.stage == "details"
    effects = dialog.send(said("other", "шары на день рождения, 20 штук"))
    assert CreateTask("lead", "Заказ / подбор") in effects
    assert Handoff() in effects


def test_clear_question_skips_menu(dialog: Driver) -> None:
    effects = dialog.send(said("ask_price"))
    assert "menu_main" not in replies(effects)
    assert CreateTask("question", "Вопрос клиента") in effects
    assert dialog.state.paused


def test_details_not_given_closes_after_10h_with_review(dialog: Driver) -> None:
    dialog.send(said("greeting"))
    dialog.send(chose("order", "agree"))
    effects = dialog.wait(timedelta(hours=10, minutes=1))
    assert Close("no_reply") in effects
    reason = "Автозакрытие без «спасибо» или «подумаю»"
    assert CreateTask("supervisor_review", reason, to="supervisor") in effects


def test_buttons_on_a_closed_dialogs_task_settle_only_the_task(dialog: Driver) -> None:
    dialog.send(said("refuse"))
    assert dialog.state.close_reason == "refused"  # and the supervisor reviews it
    assert dialog.send(ManagerAction("take", "@boss")) == [UpdateTasks("taken", "@boss")]
    assert dialog.send(ManagerAction("done", "@boss")) == [UpdateTasks("done", "@boss")]
    assert dialog.state.closed
    assert not dialog.state.paused


def test_thinking_ladder_two_nudges_then_close(dialog: Driver) -> None:
    dialog.send(said("thinking"))
    assert dialog.state.stage == "thinking"
    first = dialog.wait(timedelta(hours=24))
    assert replies(first) == ["nudge_1"]
    second = dialog.wait(timedelta(hours=24))
    assert replies(second) == ["nudge_2"]
    closing = dialog.wait(timedelta(days=2))
    assert Close("no_reply") in closing
    assert not [e for e in closing if isinstance(e, CreateTask)]  # last message was thinking


def test_reply_cancels_nudge_ladder(dialog: Driver) -> None:
    dialog.send(said("thinking"))
    dialog.wait(timedelta(hours=5))
    effects = dialog.send(said("ask_delivery"))
    assert CancelTimer("nudge_1") in effects
    assert not [e for e in dialog.wait(timedelta(days=5)) if isinstance(e, Reply)]


def test_nudge_due_at_night_moves_to_next_morning(dialog: Driver) -> None:
    dialog.now = dialog.now.replace(hour=18, minute=30)
    dialog.send(said("thinking"))
    due = dialog.timer_due("nudge_1").astimezone(dialog.now.tzinfo)
    assert (due.hour, due.minute) == (18, 30)
    dialog.now = dialog.now.replace(hour=22, minute=0)
    dialog.state = DialogState()
    dialog.send(said("thinking"))
    due = dialog.timer_due("nudge_1").astimezone(dialog.now.tzinfo)
    assert (due.day, due.hour, due.minute) == (4, 10, 0)  # 22:00 Tue -> Wed 10:00


def test_stale_timer_does_nothing(dialog: Driver) -> None:
    dialog.send(said("thinking"))
    token = dialog.state.timers["nudge_1"].token
    dialog.send(said("ask_price"))
    assert dialog.send(TimerFired("nudge_1", token)) == []


def test_blocked_customer_never_gets_another_message(dialog: Driver) -> None:
    dialog.send(said("thinking"))
    effects = dialog.send(Blocked())
    assert Close("bot_blocked") in effects
    assert Flag("do_not_write") in effects
    assert dialog.state.timers == {}
    effects = dialog.send(CrmEvent("order_created", {"order_id": "A1", "amount": "100"}))
    assert not [e for e in effects if isinstance(e, Reply | SetTimer)]
    assert [e for e in dialog.send(ManagerMessage("hello")) if isinstance(e, SkippedReply)]


def test_payment_reminders_stop_when_paid(dialog: Driver) -> None:
    effects = dialog.send(CrmEvent("order_created", {"order_id": "A-17", "amount": "2500"}))
    created = next(e for e in effects if isinstance(e, Reply))
    assert "2500" in created.text
    assert "A-17" in created.text
    assert replies(dialog.wait(timedelta(days=1))) == ["pay_reminder"]
    dialog.send(CrmEvent("order_paid", {"order_id": "A-17"}))
    later = dialog.wait(timedelta(days=5))
    assert not [e for e in later if isinstance(e, Reply | CreateTask)]


def test_unpaid_order_becomes_overdue_task(dialog: Driver) -> None:
    dialog.send(CrmEvent("order_created", {"order_id": "A-18", "amount": "900"}))
    effects = dialog.wait(timedelta(days=4, hours=1))
    assert replies(effects) == ["pay_reminder", "pay_reminder"]
    assert CreateTask("payment_overdue", "Заказ A-18 на 900 не оплачен") in effects


def test_handoff_sla_alerts_at_5_and_15_working_minutes(dialog: Driver) -> None:
    dialog.send(said("human"))
    effects = dialog.wait(timedelta(minutes=16))
    alerts = [e for e in effects if isinstance(e, Alert)]
    assert [a.kind for a in alerts] == ["sla", "supervisor"]


def test_take_cancels_sla_alerts(dialog: Driver) -> None:
    dialog.send(said("complaint"))
    dialog.wait(timedelta(minutes=2))
    dialog.send(ManagerAction("take", "olga"))
    dialog.send(ManagerMessage("Разбираемся", "olga"))
    assert not [e for e in dialog.wait(timedelta(hours=1)) if isinstance(e, Alert)]


def test_a_taken_task_without_an_answer_alerts_after_10_working_minutes(dialog: Driver) -> None:
    dialog.send(said("complaint"))
    dialog.send(ManagerAction("take", "olga"))
    assert not [e for e in dialog.wait(timedelta(minutes=9)) if isinstance(e, Alert)]
    dialog.send(said("greeting", "ау, вы ответите?"))  # the wait counts from the take
    alerts = [e for e in dialog.wait(timedelta(minutes=2)) if isinstance(e, Alert)]
    assert [a.kind for a in alerts] == ["sla"]
    assert "ждёт ответа" in alerts[0].reason
    dialog.send(ManagerMessage("Простите, уже отвечаю", "olga"))
    dialog.send(said("other", "а когда привезут"))  # a new wait: a new alert 10 minutes on
    alerts = [e for e in dialog.wait(timedelta(minutes=11)) if isinstance(e, Alert)]
    assert [a.kind for a in alerts] == ["sla"]


def test_late_manager_answer_is_a_breach(dialog: Driver) -> None:
    from chatbot.core.effects import ManagerResponse

    dialog.send(said("ask_price"))
    dialog.wait(timedelta(minutes=12))
    effects = dialog.send(ManagerMessage("2500 ₽", "olga"))
    response = next(e for e in effects if isinstance(e, ManagerResponse))
    assert response.manager == "olga"
    assert response.breach
    assert 700 <= response.seconds <= 730


def test_a_managers_photo_goes_out_with_its_caption(dialog: Driver) -> None:
    from chatbot.core.effects import ManagerDelivered

    dialog.send(said("ask_price"))
    effects = dialog.send(ManagerMessage("Вот набор", "olga", attachment="-100555:41"))
    [delivered] = [e for e in effects if isinstance(e, ManagerDelivered)]
    assert delivered == ManagerDelivered("Вот набор", "olga", "-100555:41")


def test_thanks_after_finished_answer_closes(dialog: Driver) -> None:
    dialog.send(said("ask_price"))
    dialog.send(ManagerMessage("2500 ₽"))
    dialog.send(ManagerAction("done"))
    effects = dialog.send(said("thanks"))
    assert Close("thanks") in effects
    assert not [e for e in effects if isinstance(e, CreateTask | Reply)]


def test_discount_offered_once_when_quiet_elsewhere(dialog: Driver) -> None:
    dialog.send(said("thinking"))
    dialog.wait(timedelta(hours=25))
    effects = dialog.send(said("price_objection"))
    assert replies(effects) == ["discount_offer"]
    assert dialog.state.stage == "discount"
    effects = dialog.send(said("price_objection"))
    assert "discount_offer" not in replies(effects)
    assert [e for e in effects if isinstance(e, CreateTask)]


def test_no_discount_at_a_first_price_objection(dialog: Driver) -> None:
    effects = dialog.send(said("price_objection", "а можно скидку?"))
    assert "discount_offer" not in replies(effects)
    assert [e.kind for e in effects if isinstance(e, CreateTask)] == ["lead"]


def test_an_ok_to_the_discount_is_a_lead_task(dialog: Driver) -> None:
    dialog.send(said("thinking"))
    dialog.wait(timedelta(days=1, hours=1))
    dialog.send(said("price_objection"))
    effects = dialog.send(said("thanks", "ок"))
    [task] = [e for e in effects if isinstance(e, CreateTask)]
    assert task.kind == "lead"
    assert "скидку" in task.reason
    assert not [n for n in dialog.state.timers if n.startswith("nudge_")]


def test_no_discount_when_active_in_another_dialog(dialog: Driver) -> None:
    dialog.send(said("thinking"))
    dialog.wait(timedelta(days=1, hours=1))
    dialog.facts = Facts(other_dialogs_last_inbound_at=dialog.now - timedelta(days=1))
    effects = dialog.send(said("price_objection"))
    assert "discount_offer" not in replies(effects)


def test_off_hours_note_once_per_night(dialog: Driver) -> None:
    dialog.now = dialog.now.replace(hour=23)
    first = replies(dialog.send(said("greeting")))
    assert first[0] == "off_hours"
    assert "off_hours" not in replies(dialog.send(said("greeting")))


def test_manager_first_moves_stage_on(dialog: Driver) -> None:
    effects = dialog.send(ManagerMessage("Здравствуйте! Вы звонили?"))
    assert StageChanged("new", "manager_led") in effects
    assert dialog.state.paused


def test_whatsapp_outside_window_uses_template(dialog: Driver) -> None:
    dialog.state = DialogState(channel="whatsapp")
    dialog.send(said("thinking"))
    dialog.wait(timedelta(hours=24))
    nudge = next(e for _, e in dialog.log if isinstance(e, Reply) and e.key == "nudge_1")
    # exactly 24h: less than the 30-minute margin is left, so the template goes
    assert nudge.template == TemplateCall("follow_up_question", "ru", ("Шарики и праздник",))
    dialog.wait(timedelta(hours=24))
    nudge2 = next(e for _, e in dialog.log if isinstance(e, Reply) and e.key == "nudge_2")
    assert nudge2.template is not None
    assert nudge2.template.name == "follow_up_waiting"


def test_whatsapp_inside_window_carries_its_template_as_fallback(dialog: Driver) -> None:
    dialog.state = DialogState(channel="whatsapp")
    dialog.send(said("greeting"))
    dialog.wait(timedelta(hours=2))
    [reply] = [e for e in dialog.send(CrmEvent("order_created", ORDER)) if isinstance(e, Reply)]
    assert reply.template is None  # free text inside the window
    assert reply.fallback == TemplateCall(
        "order_created_link", "ru", ("A-17", "2500", "https://pay.example/A-17")
    )


def test_whatsapp_order_three_days_later_is_the_template_with_parameters(dialog: Driver) -> None:
    dialog.state = DialogState(channel="whatsapp")
    dialog.send(said("greeting"))
    dialog.wait(timedelta(days=3))
    [reply] = [e for e in dialog.send(CrmEvent("order_created", ORDER)) if isinstance(e, Reply)]
    assert reply.template == TemplateCall(
        "order_created_link", "ru", ("A-17", "2500", "https://pay.example/A-17")
    )
    assert reply.fallback is None


def test_whatsapp_outside_window_without_template_is_skipped(dialog: Driver) -> None:
    shop = dialog.flows.shop
    templates = {k: v for k, v in shop.whatsapp.templates.items() if k != "missed_call"}
    whatsapp = shop.whatsapp.model_copy(update={"templates": templates})
    dialog.flows = replace(dialog.flows, shop=shop.model_copy(update={"whatsapp": whatsapp}))
    dialog.state = DialogState(channel="whatsapp")
    dialog.send(said("greeting"))
    dialog.wait(timedelta(days=2))
    effects = dialog.send(CrmEvent("missed_call", {}))
    assert SkippedReply("missed_call", NO_TEMPLATE) in effects
    assert "missed_call" not in replies(effects)


def test_a_template_parameter_without_a_value_skips_the_message(dialog: Driver) -> None:
    dialog.state = DialogState(channel="whatsapp")
    dialog.send(said("greeting"))
    dialog.wait(timedelta(days=2))
    effects = dialog.send(CrmEvent("order_shipped", {"order_id": "A-17"}))
    assert SkippedReply("order_shipped", "template order_shipped: no value for {tracking}") in (
        effects
    )
    shipped = dialog.send(CrmEvent("order_shipped", {"order_id": "A-17", "tracking": "RA1"}))
    [reply] = [e for e in shipped if isinstance(e, Reply)]
    assert reply.template == TemplateCall("order_shipped", "ru", ("A-17", "RA1"))


def test_delivered_rating_paths(dialog: Driver) -> None:
    dialog.send(CrmEvent("order_delivered", {"order_id": "A-1"}))
    assert dialog.state.stage == "rating"
    effects = dialog.send(said("other", "3", number=3))
    assert replies(effects) == ["ask_what_went_wrong"]
    # the task is there at once: an unhappy customer who goes quiet is still called
    assert CreateTask("negative_feedback", "Оценка 3 из 10, заказ A-1") in effects
    assert dialog.state.vars["rating"] == "3"


def test_high_rating_asks_for_review(dialog: Driver) -> None:
    dialog.send(CrmEvent("order_delivered", {"order_id": "A-1"}))
    effects = dialog.send(said("other", "10", number=10))
    reply = next(e for e in effects if isinstance(e, Reply))
    assert reply.key == "review_thanks"
    assert "https://shop.example/review" in reply.text


def test_reactivation_after_60_days_even_when_closed(dialog: Driver) -> None:
    dialog.send(CrmEvent("order_delivered", {"order_id": "A-1"}))
    dialog.send(said("other", "10", number=10))
    dialog.send(said("thanks"))
    assert dialog.state.closed
    effects = dialog.wait(timedelta(days=61))
    assert "reactivation" in replies(effects)


def test_inactivity_closes_after_7_days(dialog: Driver) -> None:
    dialog.send(said("greeting"))
    effects = dialog.wait(timedelta(days=7, minutes=1))
    assert TimerDone("inactivity") in effects
    assert Close("no_reply") in effects


def test_step_cap_stops_goto_loops(flows_loop: Driver) -> None:
    effects = flows_loop.send(said("greeting"))
    assert Alert("supervisor", "flow loop: too many stage moves in one event") in effects


def test_activity_rearms_the_silence_timer(dialog: Driver) -> None:
    dialog.send(said("greeting"))
    dialog.wait(timedelta(days=5))
    dialog.send(said("ask_price"))
    effects = dialog.wait(timedelta(days=3))
    assert Close("no_reply") not in effects
    assert TimerDone("inactivity") not in effects  # moved to 7 days after the last message
    assert Close("no_reply") in dialog.wait(timedelta(days=5))
