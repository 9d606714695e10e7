"""Carrying out flow actions inside one step: the only place effects are produced."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from chatbot.core.effects import (
    Alert,
    BotResumed,
    Button,
    CancelTimer,
    Close,
    CreateTask,
    Effect,
    Flag,
    Handoff,
    Personalise,
    Reply,
    SetTimer,
    SkippedReply,
    StageChanged,
    UpdateTasks,
)
from chatbot.core.state import DialogState, TimerState, evolve
from chatbot.engine import spec_actions as act
from chatbot.engine.conditions import matches, named_time
from chatbot.engine.context import Context, once_key
from chatbot.engine.flowset import FlowSet
from chatbot.engine.render import format_date, render, text_values
from chatbot.engine.spec_actions import Action, Handler, ReplySpec, StartSpec
from chatbot.engine.whatsapp_window import whatsapp_way

BLOCKED_VAR = "_blocked"  # set while the customer has blocked the bot


class StepLimitReached(Exception):
    """The flows moved between stages more often than `max_steps_per_event` allows."""


class ActionRunner:
    """Accumulates the new state and the effects of one event."""

    def __init__(self, state: DialogState, ctx: Context) -> None:
        self.state = state
        self.ctx = ctx
        self.effects: list[Effect] = []
        self.steps = 0

    @property
    def flows(self) -> FlowSet:
        """The flows being run."""
        return self.ctx.flows

    def emit(self, effect: Effect) -> None:
        """Record an effect."""
        self.effects.append(effect)

    def dispatch(self, handlers: Iterable[Handler]) -> bool:
        """Run the first matching handler (and any `continue` ones before it)."""
        was_closed = self.state.closed
        for handler in handlers:
            if self.state.closed and not was_closed and not handler.when.reason:
                return True  # an earlier handler closed the dialog: nothing more to do
            if not matches(handler.when, self.state, self.ctx):
                continue
            self._remember_once(handler)
            try:
                self.run_actions(handler.do)
            except StepLimitReached:
                self.emit(Alert("supervisor", "flow loop: too many stage moves in one event"))
                return True
            if not handler.continue_:
                return True
        return False

    def _remember_once(self, handler: Handler) -> None:
        key = handler.when.once
        if key is None:
            return
        if handler.when.once_per is None:
            self.state = evolve(self.state, once=self.state.once | {key})
        else:
            self.state = self.state.with_vars(**{once_key(key): self.ctx.now.isoformat()})

    def run_actions(self, actions: Sequence[Action]) -> None:
        """Carry out actions in order."""
        for action in actions:
            self.run_action(action)

    def run_action(self, action: Action) -> None:
        """Carry out one action (the commonest first)."""
        match action:
            case act.ReplyAction():
                self._reply(action.spec)
            case act.SetAction():
                values = self._values()
                fresh = {k: render(v, values) for k, v in action.set.items()}
                self.state = self.state.with_vars(**fresh)
            case act.GotoAction():
                self._goto(action.goto)
            case act.StartAction():
                self._start(action.spec)
            case act.CancelAction():
                for name in action.timers:
                    self.cancel_timer(name)
            case act.ChooseAction():
                self.dispatch(action.choose)
            case act.CloseAction():
                self.close(action.close)
            case act.MenuAction():
                self._menu(action.menu)
            case act.TaskAction():
                self._task(action.task)
            case act.HandoffAction():
                self._task(action.handoff)
                self._pause()
                if self.state.waiting_since is None:
                    self.state = evolve(self.state, waiting_since=self.ctx.now)
            case act.PauseAction():
                self._pause()
            case act.ResumeAction():
                if self.state.paused:
                    self.state = evolve(self.state, paused=False, waiting_since=None)
                    self.emit(BotResumed())
            case act.CancelAllAction():
                for name in sorted(self.state.timers):
                    self.cancel_timer(name)
            case act.TaskStatusAction():
                self.emit(UpdateTasks(action.task_status, self.ctx.manager))
            case act.FlagAction():
                if action.flag not in self.state.flags:
                    self.state = evolve(self.state, flags=self.state.flags | {action.flag})
                    self.emit(Flag(action.flag))
            case act.AlertAction():
                alert = action.alert
                self.emit(Alert(alert.kind, render(alert.reason, self._values())))
            case act.SetDateAction():
                when = self.ctx.calendar.local(self.ctx.now + action.set_date.after)
                self.state = self.state.with_vars(**{action.set_date.var: format_date(when)})
            case act.UnsetAction():
                gone = set(action.unset)
                kept = {k: v for k, v in self.state.vars.items() if k not in gone}
                self.state = evolve(self.state, vars=kept)

    # --- actions that take more than a few lines -----------------------------------------

    def _reply(self, spec: ReplySpec) -> None:
        personalise = None
        if spec.personalise:
            limits = self.flows.shop.personalise
            personalise = Personalise(
                self.state.lang, spec.max_chars or limits.max_chars, limits.recent_messages
            )
        self.send(spec.text, personalise=personalise)

    def _menu(self, name: str) -> None:
        menu = self.flows.menus[name]
        lang = self.state.lang
        buttons = tuple(
            Button(o.id, f"{i}. {self.flows.text(o.label, lang)}")
            for i, o in enumerate(menu.options, start=1)
        )
        if self.send(menu.text, buttons):
            self.state = evolve(self.state, menu=name)

    def _goto(self, target: str) -> None:
        self.steps += 1
        if self.steps > self.flows.shop.max_steps_per_event:
            raise StepLimitReached(target)
        self.change_stage(target)
        stage = self.flows.stages.get(target)
        if stage is not None:
            self.run_actions(stage.on_enter)

    def _start(self, start: StartSpec) -> None:
        if not start.restart and start.timer in self.state.timers:
            return
        spec = self.flows.timers[start.timer]
        cal = self.ctx.calendar
        now = self.ctx.now
        due = named_time(self.ctx) if start.at == "named" else None
        if due is None:
            due = cal.add_working(now, spec.after) if spec.working_time else now + spec.after
        if spec.proactive:
            due = cal.next_open(due)
        self.schedule(start.timer, due, spec.keep_after_close)

    def _task(self, task: act.TaskSpec) -> None:
        self.emit(CreateTask(task.kind, render(task.reason, self._values()), task.to))

    def _pause(self) -> None:
        if not self.state.paused:
            self.state = evolve(self.state, paused=True, menu=None)
            self.emit(Handoff())

    # --- building blocks -----------------------------------------------------------------

    def _values(self) -> dict[str, str]:
        return text_values(self.state, self.ctx)

    def send(
        self, key: str, buttons: tuple[Button, ...] = (), personalise: Personalise | None = None
    ) -> bool:
        """Write a text to the customer, honouring do_not_write and WhatsApp's window."""
        if "do_not_write" in self.state.flags and (self.ctx.proactive or self.blocked):
            # an unsubscribed customer's own message is still answered; a blocked one never is
            self.emit(SkippedReply(key, "the customer must not be written to"))
            return False
        values = self._values()
        text = render(self.flows.text(key, self.state.lang), values)
        way = whatsapp_way(
            key,
            self.state,
            self.flows.shop.whatsapp,
            values,
            self.ctx.now,
            proactive=self.ctx.proactive,
        )
        if isinstance(way, str):
            self.emit(SkippedReply(key, way))
            return False
        template, fallback = way
        if template is not None:
            personalise = None  # an approved template is sent as approved, never rewritten
        self.emit(Reply(text, key, buttons, template, self.ctx.proactive, personalise, fallback))
        self.state = evolve(self.state, last_bot_key=key)
        return True

    @property
    def blocked(self) -> bool:
        """The customer blocked the bot (and has not unblocked it since)."""
        s = self.state
        return BLOCKED_VAR in s.vars or (s.closed and s.close_reason == "bot_blocked")

    def change_stage(self, target: str) -> None:
        """Move to `target`, cancelling timers that end with the stage."""
        current = self.state.stage
        if target == current:
            return
        self.emit(StageChanged(current, target))
        self.state = evolve(self.state, stage=target, menu=None, stage_since=self.ctx.now)
        self.cancel_matching("stage")

    def schedule(self, name: str, due: datetime, keep_after_close: bool = False) -> None:
        """Set timer `name` to fire at `due` with a fresh token."""
        token = self.state.seq + 1
        timers = {**self.state.timers, name: TimerState(token, due, keep_after_close)}
        self.state = evolve(self.state, seq=token, timers=timers)
        self.emit(SetTimer(name, due, token, keep_after_close))

    def cancel_timer(self, name: str) -> None:
        """Cancel timer `name` if it is live."""
        if name in self.state.timers:
            timers = {k: v for k, v in self.state.timers.items() if k != name}
            self.state = evolve(self.state, timers=timers)
            self.emit(CancelTimer(name))

    def cancel_matching(self, trigger: str) -> None:
        """Cancel the live timers whose spec lists `trigger` in cancel_on."""
        for name in sorted(self.state.timers):
            spec = self.flows.timers.get(name)
            if spec is not None and trigger in spec.cancel_on:
                self.cancel_timer(name)

    def close(self, reason: str) -> None:
        """Close the dialog, cancel its timers (but kept ones) and run on_close handlers."""
        if self.state.closed:
            return
        for name, timer in sorted(self.state.timers.items()):
            if not timer.keep_after_close:
                self.cancel_timer(name)
        self.state = evolve(
            self.state,
            closed=True,
            close_reason=reason,
            closed_at=self.ctx.now,
            menu=None,
            paused=False,
            waiting_since=None,
        )
        self.emit(Close(reason))
        saved = self.ctx
        self.ctx = self.ctx.with_reason(reason)
        try:
            self.dispatch(self.flows.on_close)
        finally:
            self.ctx = saved
