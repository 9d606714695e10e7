"""The pure engine: step(state, event, flows, now) -> (state, effects)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from weakref import WeakKeyDictionary

from chatbot.core.effects import (
    BotResumed,
    CancelTimer,
    Effect,
    Flag,
    ManagerDelivered,
    ManagerResponse,
    Reopen,
    SkippedReply,
    TimerDone,
    Unflag,
    UpdateTasks,
)
from chatbot.core.events import (
    Blocked,
    CrmEvent,
    CustomerMessage,
    Event,
    ManagerAction,
    ManagerMessage,
    SpamCleared,
    TimerFired,
    Unblocked,
)
from chatbot.core.state import ORDER_ENDS, DialogState, Facts, evolve
from chatbot.engine.actions import BLOCKED_VAR, ActionRunner
from chatbot.engine.context import Context
from chatbot.engine.flowset import FlowSet
from chatbot.engine.worktime import WorkCalendar

INACTIVITY_TIMER = "inactivity"
MAX_ORDERS = 20  # finished orders kept in a dialog's ledger beyond this are forgotten
_calendars: WeakKeyDictionary[FlowSet, WorkCalendar] = WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class StepResult:
    """The dialog's new state and the effects to carry out."""

    state: DialogState
    effects: tuple[Effect, ...]


def calendar_of(flows: FlowSet) -> WorkCalendar:
    """The working-time calendar of the flows (built once per FlowSet)."""
    cal = _calendars.get(flows)
    if cal is None:
        cal = _calendars[flows] = WorkCalendar(flows.shop)
    return cal


def step(
    state: DialogState,
    event: Event,
    flows: FlowSet,
    now: datetime,
    facts: Facts | None = None,
) -> StepResult:
    """Apply one event to one dialog; pure and synchronous, time is an argument."""
    if now.tzinfo is None:
        raise ValueError("step() needs an aware datetime")
    ctx = Context(
        flows,
        calendar_of(flows),
        now,
        facts or Facts(),
        classification=event.classification if isinstance(event, CustomerMessage) else None,
        manager=event.manager if isinstance(event, ManagerMessage | ManagerAction) else None,
        proactive=not isinstance(event, CustomerMessage),
        text=event.text if isinstance(event, CustomerMessage) else "",
    )
    run = ActionRunner(state, ctx)
    if isinstance(event, CustomerMessage):
        _on_customer(run, event)
    elif isinstance(event, TimerFired):
        _on_timer(run, event)
    elif isinstance(event, CrmEvent):
        _on_crm(run, event)
    elif isinstance(event, ManagerMessage):
        _on_manager_message(run, event)
    elif isinstance(event, ManagerAction):
        _on_manager_action(run, event)
    elif isinstance(event, Blocked):
        _on_blocked(run)
    elif isinstance(event, Unblocked):
        vars_ = {k: v for k, v in run.state.vars.items() if k != BLOCKED_VAR}
        run.state = evolve(run.state, flags=run.state.flags - {"do_not_write"}, vars=vars_)
    elif isinstance(event, SpamCleared):
        _on_spam_cleared(run)
    return StepResult(run.state, tuple(run.effects))


def _on_customer(run: ActionRunner, event: CustomerMessage) -> None:
    s = run.state
    c = event.classification
    if "spammer" in s.flags and s.closed:
        return  # a known spammer stays closed and unanswered
    if s.closed:
        run.emit(Reopen())
        run.state = evolve(
            s, closed=False, close_reason=None, closed_at=None, inbound_count=0, paused=False
        )
        run.change_stage("new")
    s = run.state
    tracks_silence = _tracks_silence(run.flows)
    run.state = evolve(
        s,
        inbound_count=s.inbound_count + 1,
        last_inbound_at=run.ctx.now,
        last_activity_at=run.ctx.now if tracks_silence else s.last_activity_at,
        last_intent=c.intent,
        menu=None if c.option is not None else s.menu,
    )
    run.cancel_matching("reply")
    if tracks_silence:
        _arm_inactivity(run)
    if run.state.paused and run.state.waiting_since is None:
        run.state = evolve(run.state, waiting_since=run.ctx.now)
    stage = run.flows.stages.get(run.state.stage)
    handlers = [*run.flows.before, *(stage.on if stage else ()), *run.flows.customer]
    if run.state.paused:
        handlers = [h for h in handlers if h.while_paused]
    run.dispatch(handlers)


def _on_timer(run: ActionRunner, event: TimerFired) -> None:
    live = run.state.timers.get(event.name)
    if live is None or live.token != event.token:
        return  # the dialog moved on: this firing is stale
    if run.state.closed and not live.keep_after_close:
        return
    if event.name == INACTIVITY_TIMER and _rearm_inactivity(run):
        return
    spec = run.flows.timers.get(event.name)
    if spec is not None and spec.proactive and not run.ctx.calendar.is_open(run.ctx.now):
        # Fired late or the hours changed: wait for the shop to open instead of writing at night.
        run.schedule(event.name, run.ctx.calendar.next_open(run.ctx.now), live.keep_after_close)
        return
    timers = dict(run.state.timers)
    del timers[event.name]
    run.state = evolve(run.state, timers=timers)
    run.emit(TimerDone(event.name))
    if event.name == INACTIVITY_TIMER and spec is None:
        run.close("no_reply")
        return
    if spec is not None:
        if spec.keeps_open:
            _restart_inactivity(run)  # the promised follow-up went out: a new quiet spell starts
        run.run_actions(spec.do)


def _on_crm(run: ActionRunner, event: CrmEvent) -> None:
    s = run.state
    order = str(event.data.get("order_id", "")) or s.vars.get("order_id", "")
    if event.type.startswith("order_") and order:
        if event.type == "order_created":
            _unflag(run, "spammer")  # an order on the site proves a customer: the close was wrong
            s = run.state
        fact = event.type.removeprefix("order_")
        s = evolve(s, orders=_with_fact(s.orders, order, fact))
    if s.closed and "do_not_write" not in s.flags and "spammer" not in s.flags:
        s = evolve(s, closed=False, close_reason=None, closed_at=None)
    run.state = s.with_vars(**{k: str(v) for k, v in event.data.items()})
    if run.state.closed:
        return  # blocked, or a spammer: the order is noted, nothing is sent or planned
    _restart_inactivity(run)  # a shop event is activity: the silence close waits for it
    run.dispatch(run.flows.events.get(event.type, ()))


def _with_fact(
    orders: Mapping[str, frozenset[str]], order: str, fact: str
) -> dict[str, frozenset[str]]:
    """The order ledger with one more fact; the oldest finished orders are forgotten."""
    ledger = {k: v for k, v in orders.items() if k != order}
    ledger[order] = orders.get(order, frozenset()) | {fact}
    finished = [k for k, v in ledger.items() if v & ORDER_ENDS]
    for k in finished[: max(0, len(ledger) - MAX_ORDERS)]:
        del ledger[k]
    return ledger


def _on_manager_message(run: ActionRunner, event: ManagerMessage) -> None:
    s = run.state
    if run.blocked:
        run.emit(SkippedReply("manager", "the customer blocked the bot"))
        return
    if s.closed:
        run.state = evolve(s, closed=False, close_reason=None, closed_at=None)
    run.emit(ManagerDelivered(event.text, event.manager, event.attachment))
    if run.state.waiting_since is not None:
        waited = run.ctx.calendar.working_between(run.state.waiting_since, run.ctx.now)
        limit = run.flows.shop.sla.manager_answer
        run.emit(ManagerResponse(event.manager, waited.total_seconds(), waited > limit))
        run.state = evolve(run.state, waiting_since=None)
    run.cancel_matching("manager")
    _restart_inactivity(run)
    run.dispatch(run.flows.manager.message)


def _on_manager_action(run: ActionRunner, event: ManagerAction) -> None:
    if run.state.closed:
        # No flow handler runs in a closed dialog (they move the stage, write to the customer);
        # a button on its task, e.g. the supervisor's review of a close, settles the task.
        status = "taken" if event.action == "take" else "done"
        run.emit(UpdateTasks(status, event.manager))
        return
    if event.action == "take":
        run.cancel_matching("take")
    run.dispatch(getattr(run.flows.manager, event.action))


def _on_spam_cleared(run: ActionRunner) -> None:
    """The dialog stays closed; the customer's next message reopens it as a new one."""
    _unflag(run, "spammer")
    # The flows' spam rule skips a dialog a manager has cleared (`unset: [spam_cleared]`).
    run.state = run.state.with_vars(spam_cleared=run.ctx.now.date().isoformat())


def _unflag(run: ActionRunner, flag: str) -> None:
    """Clear a customer flag, if set."""
    if flag in run.state.flags:
        run.state = evolve(run.state, flags=run.state.flags - {flag})
        run.emit(Unflag(flag))


def _on_blocked(run: ActionRunner) -> None:
    s = run.state
    for name in sorted(s.timers):
        run.emit(CancelTimer(name))
    run.state = evolve(s, timers={}).with_vars(**{BLOCKED_VAR: "yes"})
    if "do_not_write" not in s.flags:
        run.state = evolve(run.state, flags=run.state.flags | {"do_not_write"})
        run.emit(Flag("do_not_write"))
    if run.state.paused:
        run.state = evolve(run.state, paused=False)
        run.emit(UpdateTasks("cancelled"))
        run.emit(BotResumed())
    run.close("bot_blocked")


def _tracks_silence(flows: FlowSet) -> bool:
    """Whether the built-in silence timer closes quiet dialogs (flows may define their own)."""
    return INACTIVITY_TIMER not in flows.timers


def _restart_inactivity(run: ActionRunner) -> None:
    """Note activity; the silence timer is set once and re-armed lazily when it fires."""
    if _tracks_silence(run.flows):
        run.state = evolve(run.state, last_activity_at=run.ctx.now)
        _arm_inactivity(run)


def _arm_inactivity(run: ActionRunner) -> None:
    """Set the silence timer unless it is already running."""
    if INACTIVITY_TIMER not in run.state.timers:
        silence = run.flows.shop.close_after_silence
        run.schedule(INACTIVITY_TIMER, run.ctx.now + silence)


def _rearm_inactivity(run: ActionRunner) -> bool:
    """True when the dialog was active since the timer was set: it is moved, not fired."""
    silence = run.flows.shop.close_after_silence
    last = run.state.last_activity_at
    if last is None or INACTIVITY_TIMER in run.flows.timers:
        return False
    due = last + silence
    if due <= run.ctx.now:
        if not _holds_open(run):
            return False
        due = run.ctx.now + silence  # ask again after another quiet spell
    run.schedule(INACTIVITY_TIMER, due)
    return True


def _holds_open(run: ActionRunner) -> bool:
    """An unfinished order or a promised follow-up keeps a quiet dialog open."""
    s = run.state
    if s.open_orders:
        return True
    specs = run.flows.timers
    return any(name in specs and specs[name].keeps_open for name in s.timers)


__all__ = ["INACTIVITY_TIMER", "StepResult", "calendar_of", "step"]
