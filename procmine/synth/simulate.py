"""Discrete-event simulation of one office: arrivals, slot calendars, teams with capacity, external waits.

Queues come from load, not from independent random delays: the front office has an appointment slot
calendar (first free slot after the applicant's preferred lead, slots released a fixed window ahead), the
back-office teams have staff × daily minutes and work their queue by priority then FIFO, handover of
cards uses a second slot calendar. External bodies (BA, security services, Bundesdruckerei, applicants)
answer after delays drawn from DOMAIN §7.3. Each case is a Python generator that yields requests to the
driver (wait until, join a team queue, book a slot); per-case Python is accepted here because synth sits
at the edge of the pipeline. Deterministic from the seed.
"""

from __future__ import annotations

import heapq
import math
import random
from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import holidays
import numpy as np
import pandas as pd

from procmine.catalogue import CASE_TYPES, INACTION_DAYS, PATTERNS
from procmine.synth.offices import FRONT_TEAM, SPECIAL_TEAMS, OfficeConfig
from procmine.synth.plant import apply_plants

DAY = 1440.0  # minutes per day; simulation time is minutes since window start (local, Europe/Berlin)
OPEN = 480.0  # 08:00
CLOSE = 960.0  # 16:00
WINDOW_START = date(2024, 1, 1)
TZ = "Europe/Berlin"

# share of a case type's touch minutes spent in each step (rest is small steps)
SHARE_APPEARANCE = 0.35
SHARE_CHECK = 0.12
SHARE_REGISTER = 0.05
SHARE_DECISION = 0.33
SHARE_ORDER = 0.05
SHARE_RECHECK = 0.08
BACK_SHARE = SHARE_CHECK + SHARE_REGISTER + SHARE_DECISION + SHARE_ORDER + 0.04  # rechecks, handovers

# case types whose applicants hold a title that may expire while the case runs (Fiktionsbescheinigung)
TITLE_TYPES = {"AE_EXT", "AE_FAM", "AE_EMP", "BLUE", "AE_EDU", "AE_HUM", "NE"}
FEES = {
    "AE_EXT": 93.0, "AE_FAM": 100.0, "AE_EMP": 100.0, "BLUE": 100.0, "AE_EDU": 93.0, "NE": 147.0,
    "VE": 29.0, "TRANSFER": 67.0, "VISA_CONSENT": 0.0, "FKV_81A": 411.0, "WORK_COND": 50.0, "DUL": 0.0,
}
DEFAULT_PRIORITY = {"FKV_81A": 0, "BLUE": 1, "DUL": 1}


def month_add(d: date, months: int) -> date:
    """``d`` moved by whole months (day clipped to 28 is not needed: the window starts on the 1st)."""
    y, m = divmod(d.month - 1 + months, 12)
    return date(d.year + y, m + 1, d.day)


class Calendar:
    """Working days of one office (Mon–Fri minus the public holidays of its Land), with a long horizon."""

    def __init__(self, start: date, n_days: int, land: str) -> None:
        years = range(start.year, start.year + n_days // 365 + 2)
        hol = holidays.Germany(subdiv=land, years=years)
        self.start = start
        self.dates = [start + timedelta(days=i) for i in range(n_days)]
        self.work = np.array([d.weekday() < 5 and d not in hol for d in self.dates], dtype=bool)
        nxt = np.full(n_days + 1, n_days, dtype=np.int64)
        for i in range(n_days - 1, -1, -1):
            nxt[i] = i if self.work[i] else nxt[i + 1]
        self.next_work = nxt
        self.n_days = n_days
        self.weekday = np.array([d.weekday() for d in self.dates], dtype=np.int64)
        self.month = np.array([d.month for d in self.dates], dtype=np.int64)

    def daytime(self, t: float, r: random.Random) -> float:
        """Move a moment the applicant acts (online, any day) into 07:00–22:00."""
        d, m = divmod(t, DAY)
        if m < 420.0:
            return d * DAY + 420.0 + r.uniform(0.0, 90.0)
        if m > 1320.0:
            return (d + 1) * DAY + 420.0 + r.uniform(0.0, 90.0)
        return t

    def snap(self, t: float, r: random.Random) -> float:
        """Move a moment to office hours of a working day (mail and replies are logged when read)."""
        d = int(t // DAY)
        if d >= self.n_days:
            return t
        m = t - d * DAY
        if self.work[d] and OPEN <= m < CLOSE:
            return t
        if not self.work[d] or m >= CLOSE:
            d = int(self.next_work[min(d + 1, self.n_days)]) if (m >= CLOSE or not self.work[d]) else d
            if d >= self.n_days:
                return float(d * DAY + OPEN)
        return d * DAY + OPEN + r.uniform(0.0, CLOSE - OPEN - 30.0)


class SlotCalendar:
    """Appointment slots per working day; booking takes the first day with a free slot (union-find)."""

    def __init__(self, cal: Calendar, per_day: float, prefill_days: int = 0, prefill_share: float = 0.9) -> None:
        work_ord = np.cumsum(cal.work) - 1
        cap = np.where(cal.work, np.floor((work_ord + 1) * per_day) - np.floor(work_ord * per_day), 0)
        self.cap = cap.astype(np.int64)
        self.free = self.cap.copy()
        if prefill_days > 0:
            first = np.flatnonzero(cal.work)[:prefill_days]
            self.free[first] = np.floor(self.cap[first] * (1 - prefill_share)).astype(np.int64)
        self.parent = list(range(cal.n_days + 1))
        for d in range(cal.n_days):
            if self.free[d] <= 0:
                self.parent[d] = d + 1
        self.n = cal.n_days

    def _find(self, d: int) -> int:
        root = d
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[d] != root:
            self.parent[d], d = root, self.parent[d]
        return root

    def book(self, earliest_day: int) -> tuple[int, float]:
        """Book the first free slot on or after ``earliest_day``: (day, minute of day)."""
        d = self._find(max(0, min(earliest_day, self.n)))
        if d >= self.n:
            return self.n, OPEN
        idx = int(self.cap[d] - self.free[d])
        self.free[d] -= 1
        if self.free[d] <= 0:
            self.parent[d] = d + 1
        step = (CLOSE - OPEN - 30.0) / max(int(self.cap[d]), 1)
        return d, OPEN + math.floor(idx * step / 5.0) * 5.0


@dataclass
class Team:
    """A back-office team: staff with daily minutes (credit carried over when overrun), a priority queue."""

    name: str
    staff: list[str]
    speed: list[float]
    minutes_per_staff: float
    trainees: set[str] = field(default_factory=set)
    queue: list = field(default_factory=list)
    pending: list = field(default_factory=list)
    batch: list = field(default_factory=list)
    batch_pending: list = field(default_factory=list)
    credit: list[float] = field(default_factory=list)


@dataclass
class Case:
    """State of one simulated case (the generator holds the control flow)."""

    idx: int
    case_type: str
    team: str
    arrival: float
    surname: str
    gen: Any = None
    appearances: list[float] = field(default_factory=list)
    decided: float | None = None
    bridge_end: float | None = None  # when the new title is in hand (Fiktion bridges until then)
    expiry: float | None = None
    staff: str | None = None


@dataclass
class OfficeRun:
    """Result of simulating one office: the true event timeline and the case table."""

    config: OfficeConfig
    events: pd.DataFrame  # case_idx, key, start (float min), end (float min), resource, team, fee
    cases: pd.DataFrame  # idx, case_id, case_type, team, surname, arrival
    end_minute: float
    details: dict[str, Any]


SURNAMES = [
    "Abadi", "Bakr", "Çelik", "Demir", "Engström", "Fofana", "Gashi", "Haddad", "Ivanova", "Jovanović",
    "Kaya", "Kowalczyk", "Lindqvist", "Mensah", "Nowak", "Okafor", "Petrović", "Qureshi", "Rahimi",
    "Sánchez", "Tran", "Urbánek", "Vasquez", "Wójcik", "Yilmaz", "Zeller", "Özdemir", "Ünal", "Aydın",
    "Baptiste", "Chaudhry", "Dimitrov", "Esposito", "Nguyen", "Rossi", "Schäfer", "Tkachenko", "Müller",
]


class OfficeSimulator:
    """Simulates one office for ``months`` months from 2024-01-01 under its configuration."""

    def __init__(self, cfg: OfficeConfig, cases: int, months: int, seed: int, shock: dict[str, Any]) -> None:
        self.cfg = cfg
        self.n_cases = cases
        self.months = months
        ss = np.random.SeedSequence([seed, int.from_bytes(cfg.name.encode()[:8].ljust(8, b"\0"), "little")])
        self.np_rng = np.random.default_rng(ss)
        self.r = random.Random(int(ss.generate_state(1)[0]))
        end = month_add(WINDOW_START, months)
        self.window_days = (end - WINDOW_START).days
        self.end_minute = self.window_days * DAY
        self.cal = Calendar(WINDOW_START, self.window_days + 1500, cfg.land)
        self.shock = shock
        self.events: list[tuple] = []
        self.heap: list = []
        self.seq = 0
        self.p = {n: cfg.pattern(n) for n in PATTERNS}
        self.details: dict[str, Any] = {}

    # --- helpers --------------------------------------------------------------------------------

    def emit(self, c: Case, key: str, start: float | None, end: float, res: str | None, team: str | None,
             fee: float | None = None) -> None:
        self.events.append((c.idx, key, start, end, res, team, fee))

    def lognorm_days(self, median: float, sigma: float) -> float:
        return median * math.exp(self.r.gauss(0.0, sigma))

    def measured(self, from_key: str, t: float, days: float) -> float:
        """A wait of ``days`` from ``from_key`` at minute ``t``, changed by the planted measures in force then."""
        if not self.cfg.interventions:
            return days
        day = WINDOW_START + timedelta(days=t / DAY)
        delta = sum(m.delta_days for m in self.cfg.interventions if m.from_key == from_key and day >= date.fromisoformat(m.date))
        return max(days + delta, 0.5) if delta else days

    # --- set-up ---------------------------------------------------------------------------------

    def arrivals(self) -> pd.DataFrame:
        """Exactly ``cases`` arrivals over the working days, rates by case type × season × policy shock."""
        cfg, cal = self.cfg, self.cal
        codes = list(CASE_TYPES)
        weights = cfg.case_type_weights()
        days = np.flatnonzero(cal.work[: self.window_days])
        months = cal.month[days]
        inten = np.tile(np.array([weights[c] for c in codes]), (len(days), 1))
        col = {c: i for i, c in enumerate(codes)}
        # mild seasonality everywhere: semester start for students
        inten[np.isin(months, [9, 10]), col["AE_EDU"]] *= 1.3
        p7 = self.p[7]
        if p7:
            inten[np.isin(months, p7["edu_months"]), col["AE_EDU"]] *= p7["edu_peak_factor"]
            inten[np.isin(months, p7["transfer_months"]), col["TRANSFER"]] *= p7["transfer_factor"]
            inten[months == 1, col["AE_EXT"]] *= p7["january_factor"]
        shock_day = (date.fromisoformat(self.shock["date"]) - WINDOW_START).days
        inten[days >= shock_day, col[self.shock["case_type"]]] *= self.shock["factor"]
        prob = (inten / inten.sum()).ravel()
        counts = self.np_rng.multinomial(self.n_cases, prob).reshape(inten.shape)
        di, ci = np.nonzero(counts)
        reps = counts[di, ci]
        day = np.repeat(days[di], reps)
        ctype = np.repeat(np.array(codes)[ci], reps)
        minute = self.np_rng.uniform(7 * 60, 19 * 60, len(day))
        arrival = day * DAY + minute
        order = np.argsort(arrival, kind="stable")
        surnames = np.array(SURNAMES)[self.np_rng.integers(0, len(SURNAMES), len(day))]
        return pd.DataFrame({"case_type": ctype[order], "arrival": arrival[order], "surname": surnames})

    def route(self, case_type: str, surname: str) -> str:
        teams = self.cfg.staff
        p12 = self.p[12]
        if p12 and case_type == p12["case_type"] and p12["team"] in teams:
            return p12["team"]
        special = SPECIAL_TEAMS.get(case_type)
        if special in teams:
            return special
        if "Team A-K" in teams and "Team L-Z" in teams:
            first = surname[0].upper().translate(str.maketrans("ÇÖÜÄ", "COUA"))
            return "Team A-K" if first <= "K" else "Team L-Z"
        general = [t for t in teams if t != FRONT_TEAM]
        return general[0]

    def build_resources(self, arr: pd.DataFrame, teams: np.ndarray) -> None:
        """Size teams and slot calendars from the expected load (staffing plan) and apply patterns."""
        cfg, r = self.cfg, self.r
        n_work = int(self.cal.work[: self.window_days].sum())
        touch = arr["case_type"].map(lambda c: CASE_TYPES[c].touch_minutes).to_numpy(float)
        # the staffing plan knows the office's own rework and hand-over volume
        p3, p11, p16 = self.p[3], self.p[11], self.p[16]
        p_inc = p3["p_incomplete"] if p3 else (p16["p_incomplete"] if p16 else 0.25)
        rounds = p_inc / (1 - (p3["p_continue"] if p3 else 0.25))
        hand = sum(p11["handovers"]) / 2 if p11 else 0.1
        per_case = touch * (BACK_SHARE + rounds * SHARE_RECHECK) + hand * 5.0 * 2
        demand = pd.Series(per_case).groupby(teams).sum() / n_work
        ids = r.sample(range(100, 9999), 200)
        pos = 0
        self.teams: dict[str, Team] = {}
        p2, p8, p10, p12 = self.p[2], self.p[8], self.p[10], self.p[12]
        # pattern 8 overloads the teams that hold low-priority case types, so those types starve
        starving = set(teams[arr["case_type"].isin(p8["low_priority"]).to_numpy()]) if p8 else set()
        for name, n in cfg.staff.items():
            if name == FRONT_TEAM:
                continue
            staff = [f"SB-{i:04d}" for i in ids[pos: pos + n]]
            pos += n
            load = cfg.team_load
            if p8 and name in starving:
                load = max(load, p8["team_load"])
            if p10:
                load = max(load, p10["decision_load"])
            if p12 and name == p12["team"]:
                load = p12["team_load"]
            minutes = float(demand.get(name, 0.0)) / (n * load) if n else 0.0
            speed = [1.0] * n
            trainees: set[str] = set()
            if p2 and name == p2["team"]:
                # planned at the usual load, then a share of the posts is vacant
                minutes = float(demand.get(name, 0.0)) / (n * max(load, p2["base_load"])) if n else 0.0
                minutes *= 1.0 - p2["vacancy"]
                speed[-1] = p2["trainee_factor"]
                trainees.add(staff[-1])
            self.teams[name] = Team(name, staff, speed, max(minutes, 0.01), trainees, credit=[0.0] * n)
        n_front = cfg.staff.get(FRONT_TEAM, 5)
        self.front_staff = [f"SB-{i:04d}" for i in ids[pos: pos + n_front]]
        pos += n_front
        # front office: expected visits per working day
        visit = (~arr["case_type"].isin(["VISA_CONSENT", "FKV_81A"])).to_numpy()
        extra = rounds * p3["p_new_appointment"] if p3 else 0.02
        p_ns = self.p[15]["p_no_show_fresh"] if self.p[15] else 0.08
        demand_slots = visit.sum() * (1 + extra) / (1 - p_ns) / n_work
        slot_load = cfg.slot_load
        if self.p[1]:
            slot_load = self.p[1]["slot_load"]
        if p16:
            slot_load = p16["slot_load"]
            demand_slots *= 1 - p16["p_triage_resolved"]
        per_day = cfg.slots_per_day if cfg.slots_per_day is not None else demand_slots / slot_load
        prefill = int(self.p[1]["initial_backlog_days"]) if self.p[1] else 0
        self.front = SlotCalendar(self.cal, per_day, prefill_days=prefill)
        self.details["slots_per_day"] = round(float(per_day), 3)
        eat = arr["case_type"].map(lambda c: CASE_TYPES[c].eat).to_numpy()
        hand_load = self.p[6]["handover_load"] if self.p[6] else 0.7
        self.handover = SlotCalendar(self.cal, max(eat.sum() / n_work / hand_load, 0.05))
        self.details["team_minutes_per_staff"] = {k: round(t.minutes_per_staff, 1) for k, t in self.teams.items()}

    # --- driver ---------------------------------------------------------------------------------

    def advance(self, c: Case, value: Any) -> None:
        """Run a case's generator until it waits for time or for a team."""
        gen = c.gen
        while True:
            try:
                req = gen.send(value)
            except StopIteration:
                return
            kind = req[0]
            if kind == "wait":
                self.seq += 1
                heapq.heappush(self.heap, (req[1], self.seq, c))
                return
            if kind == "team":
                _, ready, team, tasks, prio, batched = req
                self.seq += 1
                item = (prio, c.arrival, self.seq, c, tasks)
                (self.teams[team].batch_pending if batched else self.teams[team].pending).append((ready, item))
                return
            raise ValueError(kind)

    def run_heap(self, until: float) -> None:
        heap = self.heap
        while heap and heap[0][0] < until:
            t, _, c = heapq.heappop(heap)
            self.advance(c, t)

    def work_team(self, team: Team, day: int, factor: float, batch_day: bool) -> None:
        """One working day of a team: the team's pooled minutes (credit carried over when overrun) go
        to tasks by priority then FIFO; each task goes to the member with least work today."""
        cap = team.minutes_per_staff * factor
        n = len(team.credit)
        pool = min(team.credit[0], 0.0) + cap * n
        used = [0.0] * n
        base = day * DAY
        # work handed in today is picked up from tomorrow on (the file reaches the desk overnight)
        for pending, queue in ((team.pending, team.queue), (team.batch_pending, team.batch)):
            keep = []
            for ready, it in pending:
                if ready < base:
                    heapq.heappush(queue, it)
                else:
                    keep.append((ready, it))
            pending[:] = keep
        queues = [team.batch, team.queue] if batch_day else [team.queue]
        for q in queues:
            while q and pool > 0:
                s = min(range(n), key=used.__getitem__)
                _, _, _, c, tasks = heapq.heappop(q)
                sp = team.speed[s]
                total = sum(m for _, m in tasks) * sp
                t = base + OPEN + (CLOSE - OPEN - 20.0) * min(used[s] / max(cap, 1e-9), 1.0) + self.r.uniform(0, 10)
                pool -= total
                used[s] += total
                who = team.staff[s]
                for key, m in tasks:
                    d = m * sp
                    self.emit(c, key, t, t + d, who, team.name)
                    t += d
                c.staff = who
                self.advance(c, t)
        team.credit[0] = pool

    # --- the case process -----------------------------------------------------------------------

    def visit(self, c: Case, t: float, pref_median: float) -> Generator[Any, Any, float]:
        """Request an appointment, book the first free slot, appear (or not show and retry)."""
        r, cal = self.r, self.cal
        p1, p15 = self.p[1], self.p[15]
        window = (p15 or p1 or {}).get("window_days", 60)
        while True:
            t_req = cal.daytime(t + r.uniform(1.0, 30.0), r)
            self.emit(c, "appointment_requested", None, t_req, None, FRONT_TEAM)
            # slots can be booked at most ``window`` days ahead: a later preference takes the last bookable day
            pref = min(self.lognorm_days(pref_median, 0.6), float(window))
            day, minute = self.front.book(int((t_req + pref * DAY) // DAY))
            release = (day - window) * DAY + 7 * 60
            sched = max(t_req + r.uniform(0.5, 20.0), release + r.uniform(0.5, 60.0))
            self.emit(c, "appointment_scheduled", None, sched, None, FRONT_TEAM)
            appear = day * DAY + minute
            fresh = sched - release < (p15["fresh_hours"] * 60 if p15 else 24 * 60)
            p_ns = p15["p_no_show_fresh"] if (p15 and fresh) else 0.08
            yield ("wait", appear)
            staff = self.front_staff[int(minute) % len(self.front_staff)]
            if r.random() < p_ns:
                self.emit(c, "appointment_no_show", None, appear + 15.0, None, FRONT_TEAM)
                t = appear + 15.0 + r.expovariate(1 / (3 * DAY))
                continue
            checkin = appear - r.uniform(2.0, 15.0)
            called = appear + min(self.lognorm_days(10.0, 0.6), 120.0)
            self.emit(c, "checked_in", None, checkin, None, FRONT_TEAM)
            self.emit(c, "called", None, called, staff, FRONT_TEAM)
            dur = CASE_TYPES[c.case_type].touch_minutes * SHARE_APPEARANCE * math.exp(r.gauss(0, 0.3))
            self.emit(c, "identity_verified", called, called + 4.0, staff, FRONT_TEAM)
            if CASE_TYPES[c.case_type].eat:
                self.emit(c, "biometrics_captured", called + 4.0, called + 10.0, staff, FRONT_TEAM)
            end = called + max(dur, 11.0)
            self.emit(c, "appearance_completed", called, end, staff, FRONT_TEAM)
            c.appearances.append(end)
            c.staff = staff
            return end

    def touch(self, c: Case, share: float) -> float:
        return CASE_TYPES[c.case_type].touch_minutes * share * math.exp(self.r.gauss(0.0, 0.25))

    def prio(self, c: Case) -> int:
        p8 = self.p[8]
        if p8 and c.case_type in p8["low_priority"]:
            return 9
        p12 = self.p[12]
        if p12 and c.case_type == p12["case_type"]:
            return 9
        return DEFAULT_PRIORITY.get(c.case_type, 2)

    def case_flow(self, c: Case) -> Generator[Any, Any, None]:
        """The steps of one case (DOMAIN §2.1 / §7.1), yielding to the driver for waits and queues."""
        r, cal = self.r, self.cal
        ct = CASE_TYPES[c.case_type]
        p3, p4, p5, p11, p14, p16 = self.p[3], self.p[4], self.p[5], self.p[11], self.p[14], self.p[16]
        t = c.arrival
        self.emit(c, "application_received", None, t, None, None)
        pref = p16["lead_median_days"] if p16 else 14.0
        if p16:
            t_sp = cal.snap(t + r.uniform(0, 3 * DAY), r)
            yield ("wait", t_sp)
            who: str | None = self.front_staff[r.randrange(len(self.front_staff))]
            self.emit(c, "servicepoint_contact", t_sp, t_sp + 12.0, who, FRONT_TEAM)
            t = t_sp + 12.0
            skip_visit = False
            if not ct.eat and c.case_type in ("VE", "DUL", "WORK_COND") and r.random() < 0.9:
                # resolved at the service point (DOMAIN §7.4 pattern 16, Mayen-Koblenz triage)
                if c.case_type == "VE":
                    self.emit(c, "guarantee_signed", t, t + 8.0, who, FRONT_TEAM)
                else:
                    self.emit(c, "paper_document_issued", t, t + 6.0, who, FRONT_TEAM)
                if FEES[c.case_type]:
                    self.emit(c, "fee_paid", None, t + 10.0, None, FRONT_TEAM, FEES[c.case_type])
                self.emit(c, "case_closed", None, t + 12.0, who, FRONT_TEAM)
                c.decided = c.bridge_end = t
                return
            if c.case_type in ("TRANSFER", "AE_EXT") and r.random() < (0.8 if c.case_type == "TRANSFER" else 0.35):
                # everything taken at the service point: no appointment needed
                self.emit(c, "biometrics_captured", t, t + 6.0, who, FRONT_TEAM)
                t += 6.0
                c.appearances.append(t)
                c.staff = who
                skip_visit = True
        else:
            skip_visit = False
        if c.case_type not in ("VISA_CONSENT", "FKV_81A") and not skip_visit:
            t = yield from self.visit(c, t, pref)
        if c.case_type == "VE":
            who = c.staff
            self.emit(c, "guarantee_signed", t, t + 6.0, who, FRONT_TEAM)
            self.emit(c, "fee_paid", None, t + 8.0, None, FRONT_TEAM, FEES["VE"])
            self.emit(c, "case_closed", None, t + 10.0, who, FRONT_TEAM)
            c.decided = c.bridge_end = t
            return
        team = c.team
        # completeness check and document-request loop
        t = yield ("team", t, team, [("completeness_checked", self.touch(c, SHARE_CHECK))], self.prio(c), False)
        p_inc = p3["p_incomplete"] if p3 else (p16["p_incomplete"] if p16 else 0.25)
        if c.case_type == "NE":
            p_inc = min(p_inc + 0.15, 0.95)
        p2 = self.p[2]
        if p2 and c.staff in self.teams[team].trainees:
            p_inc += p2["trainee_extra_incomplete"]
        p_cont = p3["p_continue"] if p3 else 0.25
        max_rounds = p3["max_rounds"] if p3 else 6
        resp_median = p3["response_median_days"] if p3 else 14.0
        rounds = 0
        incomplete = r.random() < p_inc
        while incomplete and rounds < max_rounds:
            rounds += 1
            self.emit(c, "documents_requested", t + 1.0, t + 4.0, c.staff, team)
            t += 4.0
            if r.random() < 0.03:
                t_w = cal.snap(t + 60 * DAY, r)
                yield ("wait", t_w)
                self.emit(c, "application_withdrawn", None, t_w, None, team)
                self.emit(c, "case_closed", None, t_w + 5.0, c.staff, team)
                return
            t_rec = t + self.measured("documents_requested", t, self.lognorm_days(resp_median, 0.6)) * DAY
            if p3 and r.random() < p3["p_new_appointment"]:
                t = yield from self.visit(c, t_rec, 7.0)
                self.emit(c, "documents_received", None, t + 1.0, c.staff, FRONT_TEAM)
                t += 1.0
            else:
                t_rec = cal.snap(t_rec, r)
                yield ("wait", t_rec)
                self.emit(c, "documents_received", None, t_rec, None, team)
                t = t_rec
            t = yield ("team", t, team, [("completeness_checked", self.touch(c, SHARE_RECHECK))], self.prio(c), False)
            incomplete = r.random() < p_cont
        # hand-overs between teams and file requests (pattern 11)
        n_hand = r.randint(*p11["handovers"]) if p11 else (1 if r.random() < 0.1 else 0)
        p_file = p11["p_file_request"] if p11 else 0.06
        file_median = p11["file_median_days"] if p11 else 6.0
        others = [n for n in self.teams if n != team]
        home = team
        if r.random() < p_file:
            self.emit(c, "file_requested", t + 2.0, t + 6.0, c.staff, team)
            t_f = cal.snap(t + 6.0 + self.lognorm_days(file_median, 0.5) * DAY, r)
            yield ("wait", t_f)
            self.emit(c, "file_received", None, t_f, None, team)
        for _ in range(n_hand):
            t = yield ("team", t, team, [("case_handed_over", 5.0)], self.prio(c), False)
            team = (r.choice(others) if team == home else home) if others else team
        if team != home:  # the file goes back to the team that owns the case
            t = yield ("team", t, team, [("case_handed_over", 5.0)], self.prio(c), False)
            team = home
        # register checks, security inquiry, BA consent, other bodies
        t = yield ("team", t, team, [("register_checked", self.touch(c, SHARE_REGISTER))], self.prio(c), False)
        done = t
        refused = False
        if r.random() < ct.p_secq:
            t_req = t + 2.0
            self.emit(c, "security_check_requested", None, t_req, c.staff, team)
            t_done = t_req + self.measured("security_check_requested", t_req, self.lognorm_days(10.0, 0.857)) * DAY
            if p5:
                o_start, o_end = self.outage
                if o_start <= t_req < o_end or o_start <= t_done < o_end:
                    # held until the interface is back, then the backlog is answered in a batch
                    rel = int(cal.next_work[int(o_end // DAY)])
                    for _ in range(r.randrange(max(int(p5["release_days"]), 1))):
                        rel = int(cal.next_work[rel + 1])
                    t_done = rel * DAY + OPEN + r.uniform(0, 200.0)
            t_done = cal.snap(t_done, r)
            self.emit(c, "security_check_completed", None, t_done, None, None)
            done = max(done, t_done)
        if r.random() < ct.p_ba:
            t_req = t + 4.0
            self.emit(c, "ba_consent_requested", None, t_req, c.staff, team)
            limit = 7.0 if c.case_type == "FKV_81A" else 14.0
            if p4:
                reply = self.lognorm_days(p4["ba_median_days"], p4["ba_sigma"])
            else:
                reply = self.lognorm_days(4.0, 0.44)
            reply = self.measured("ba_consent_requested", t_req, reply)
            if r.random() < 0.03:
                t_b = cal.snap(t_req + min(reply, limit) * DAY, r)
                self.emit(c, "ba_consent_refused", None, t_b, None, None)
                refused = True
            elif reply > limit and not (p4 and p4["explicit_answer"]):
                t_b = cal.snap(t_req + limit * DAY, r)
                self.emit(c, "ba_consent_deemed", None, t_b, c.staff, team)
            else:
                t_b = cal.snap(t_req + reply * DAY, r)
                self.emit(c, "ba_consent_granted", None, t_b, None, None)
            done = max(done, t_b)
        if c.case_type == "FKV_81A":
            self.emit(c, "recognition_requested", None, t + 6.0, c.staff, team)
            t_rc = cal.snap(t + 6.0 + self.lognorm_days(45.0, 0.25) * DAY, r)
            self.emit(c, "recognition_decided", None, t_rc, None, None)
            done = max(done, t_rc)
        if c.case_type == "VISA_CONSENT" and r.random() < 0.5:
            self.emit(c, "other_agency_consulted", None, t + 8.0, c.staff, team)
            done = max(done, cal.snap(t + 8.0 + self.lognorm_days(14.0, 0.5) * DAY, r))
        if done > t:
            yield ("wait", done)
            t = done
        # decision
        reject = refused or r.random() < 0.04
        if reject:
            t = yield ("team", t, team, [("hearing_letter_sent", 15.0)], self.prio(c), False)
            t_h = cal.snap(t + r.uniform(14, 21) * DAY, r)
            yield ("wait", t_h)
            batched = bool(p14 and "decision_rejected" in p14["activities"])
            t = yield ("team", t, team, [("decision_rejected", self.touch(c, SHARE_DECISION))], self.prio(c), batched)
            c.decided = t
            self.emit(c, "case_closed", None, t + r.uniform(5, 60), c.staff, team)
            return
        if c.case_type != "TRANSFER":
            batched = bool(p14 and "decision_approved" in p14["activities"])
            tasks = [("decision_approved", self.touch(c, SHARE_DECISION))]
            t = yield ("team", t, team, tasks, self.prio(c), batched)
            c.decided = t
        else:
            c.decided = t
        if c.case_type in ("VISA_CONSENT", "FKV_81A"):
            self.emit(c, "visa_consent_sent", t + 1.0, t + 5.0, c.staff, team, FEES[c.case_type] or None)
            self.emit(c, "case_closed", None, t + r.uniform(10, 90), c.staff, team)
            c.bridge_end = t
            return
        if not ct.eat:
            if c.case_type == "WORK_COND":
                self.emit(c, "work_authorisation_granted", t + 1.0, t + 5.0, c.staff, team)
            t_p = cal.snap(t + r.uniform(1, 6) * DAY, r)
            yield ("wait", t_p)
            who = self.front_staff[r.randrange(len(self.front_staff))]
            self.emit(c, "paper_document_issued", t_p, t_p + 6.0, who, FRONT_TEAM)
            if FEES[c.case_type]:
                self.emit(c, "fee_paid", None, t_p + 8.0, None, FRONT_TEAM, FEES[c.case_type])
            self.emit(c, "case_closed", None, t_p + r.uniform(10, 120), who, FRONT_TEAM)
            c.bridge_end = t_p
            return
        # eAT: order, production, handover
        t = yield ("team", t, team, [("eat_ordered", self.touch(c, SHARE_ORDER))], self.prio(c), False)
        if c.case_type != "AE_HUM":
            self.emit(c, "fee_paid", None, cal.daytime(t + r.uniform(10, 3 * DAY), r), None, None, FEES[c.case_type])
        t_r = cal.snap(t + self.measured("eat_ordered", t, min(max(self.lognorm_days(28.0, 0.25), 7.0), 56.0)) * DAY, r)
        yield ("wait", t_r)
        self.emit(c, "eat_received", None, t_r, None, None)
        p6 = self.p[6]
        pref = self.lognorm_days(p6["handover_pref_median_days"] if p6 else 5.0, 0.5)
        day, minute = self.handover.book(int((t_r + pref * DAY) // DAY))
        self.emit(c, "handover_scheduled", None, t_r + r.uniform(5, 120), None, FRONT_TEAM)
        t_h = day * DAY + minute
        yield ("wait", t_h)
        who = self.front_staff[r.randrange(len(self.front_staff))]
        self.emit(c, "eat_handed_over", t_h, t_h + 8.0, who, FRONT_TEAM)
        self.emit(c, "case_closed", None, t_h + r.uniform(10, 120), who, FRONT_TEAM)
        c.bridge_end = t_h

    # --- main loop ------------------------------------------------------------------------------

    def run(self) -> OfficeRun:
        cfg, cal = self.cfg, self.cal
        arr = self.arrivals()
        teams = np.array([self.route(ct, sn) for ct, sn in zip(arr["case_type"], arr["surname"])])
        self.build_resources(arr, teams)
        p5, p7, p14 = self.p[5], self.p[7], self.p[14]
        if p5:
            start = p5["outage_start"]
            if start is None:
                d0 = int(self.window_days * 0.55)
                d0 -= int(cal.weekday[d0])  # a Monday
            else:
                d0 = (date.fromisoformat(start) - WINDOW_START).days
            self.outage = (d0 * DAY, (d0 + 7 * p5["outage_weeks"]) * DAY)
            self.details["outage"] = [str(cal.dates[d0]), str(cal.dates[d0 + 7 * p5["outage_weeks"]])]
        cases = [Case(i, ct, tm, a, sn) for i, (ct, a, sn, tm) in
                 enumerate(zip(arr["case_type"], arr["arrival"], arr["surname"], teams))]
        arrival_day = (arr["arrival"].to_numpy() // DAY).astype(np.int64)
        nxt = 0
        n = len(cases)
        team_list = list(self.teams.values())
        for day in range(self.window_days):
            day_end = (day + 1) * DAY
            while nxt < n and arrival_day[nxt] == day:
                c = cases[nxt]
                c.gen = self.case_flow(c)
                self.advance(c, None)
                nxt += 1
            self.run_heap(day_end)
            if cal.work[day]:
                factor = 1.0
                if p7 and cal.month[day] in p7["summer_months"]:
                    factor = p7["summer_capacity"]
                batch_day = bool(p14 and cal.weekday[day] == p14["weekday"])
                for team in team_list:
                    self.work_team(team, day, factor, batch_day or not p14)
                self.run_heap(day_end)
        ev = pd.DataFrame(self.events, columns=["case_idx", "key", "start", "end", "resource", "team", "fee"])
        ev["start"] = ev["start"].astype(float)
        ev = apply_plants(ev, self.p, self.np_rng)
        ev = self.add_followups(ev, cases)
        ev = ev[ev["end"] < self.end_minute].copy()
        ev["start"] = ev["start"].where(ev["start"] < ev["end"])
        ev["order"] = np.arange(len(ev))
        case_tab = pd.DataFrame({
            "idx": np.arange(n),
            "case_id": [f"{cfg.name}-{i + 1:06d}" for i in range(n)],
            "case_type": arr["case_type"].to_numpy(),
            "team": teams,
            "surname": arr["surname"].to_numpy(),
            "arrival": arr["arrival"].to_numpy(),
        })
        return OfficeRun(cfg, ev, case_tab, self.end_minute, self.details)

    # --- events that follow from how long a case runs ---------------------------------------------

    def add_followups(self, ev: pd.DataFrame, cases: list[Case]) -> pd.DataFrame:
        """Fiction certificates, status inquiries and legal remedies, derived from each case's timeline."""
        r, cal = self.r, self.cal
        rng = self.np_rng
        end_min = self.end_minute
        p8, p9, p10, p12 = self.p[8], self.p[9], self.p[10], self.p[12]
        extra: list[tuple] = []
        # Fiktionsbescheinigung (§ 81 Abs. 4): old title expires before the new one is in hand
        within = p10["expiry_within_days"] if p10 else 75
        validity = p10["validity_days"] if p10 else [90, 180]
        weights = p10["validity_weights"] if p10 else [0.6, 0.4]
        for c in cases:
            if c.case_type not in TITLE_TYPES:
                continue
            expiry = c.arrival + r.uniform(0, within) * DAY
            until = c.bridge_end if c.bridge_end is not None else end_min
            if until <= expiry:
                continue
            near = [a for a in c.appearances if expiry - 21 * DAY <= a <= expiry + 3 * DAY]
            t = near[0] + 1.0 if near else cal.snap(max(expiry - r.uniform(1, 10) * DAY, c.arrival + DAY), r)
            who = self.front_staff[r.randrange(len(self.front_staff))]
            key = "fiction_certificate_issued"
            while t < until and t < end_min:
                extra.append((c.idx, key, t, t + 10.0, who, FRONT_TEAM, None))
                valid_to = t + r.choices(validity, weights)[0] * DAY
                key = "fiction_certificate_extended"
                t = cal.snap(valid_to - r.uniform(1, 10) * DAY, r)
                who = self.front_staff[r.randrange(len(self.front_staff))]
        # legal remedies (Untätigkeitsklage / Widerspruch) for cases undecided after 90 days
        p_base = 0.08
        for c in cases:
            t_rem = c.arrival + (INACTION_DAYS + r.uniform(0, 60)) * DAY
            if t_rem >= end_min or (c.decided is not None and c.decided <= t_rem):
                continue
            p = p_base
            if p8 and c.case_type in p8["low_priority"]:
                p = p8["p_remedy"]
            if p12 and c.case_type == p12["case_type"]:
                p = p12["p_remedy"]
            if r.random() < p:
                extra.append((c.idx, "legal_remedy_filed", None, cal.snap(t_rem, r), None, None, None))
        if extra:
            ev = pd.concat([ev, pd.DataFrame(extra, columns=ev.columns)], ignore_index=True)
        # status inquiries: repeat contacts while a case waits (vectorised over the gaps of all cases)
        after = p9["inquiry_after_days"] if p9 else 30.0
        every = p9["inquiry_every_days"] if p9 else 45.0
        ev = ev.sort_values(["case_idx", "end"], kind="stable").reset_index(drop=True)
        idx = ev["case_idx"].to_numpy()
        end = ev["end"].to_numpy()
        closed = np.zeros(len(cases), dtype=bool)
        closed[ev.loc[ev["key"] == "case_closed", "case_idx"].to_numpy()] = True
        nxt_end = np.append(end[1:], np.inf)
        last = np.append(idx[1:] != idx[:-1], True)
        gap_end = np.where(last, np.where(closed[idx], end, end_min), nxt_end)
        gap = (np.minimum(gap_end, end_min) - end) / DAY
        lam = np.clip(gap - after, 0, None) / every
        k = rng.poisson(lam)
        rows = np.repeat(np.arange(len(ev)), k)
        if len(rows):
            g0 = end[rows] + after * DAY
            g1 = np.minimum(gap_end[rows], end_min)
            day = np.floor(rng.uniform(g0, np.maximum(g1, g0)) / DAY)
            t = day * DAY + rng.uniform(7 * 60, 21 * 60, len(rows))
            team_of = np.array([c.team for c in cases], dtype=object)
            inq = pd.DataFrame({"case_idx": idx[rows], "key": "status_inquiry_received", "start": np.nan,
                                "end": t, "resource": None, "team": team_of[idx[rows]], "fee": np.nan})
            ev = pd.concat([ev, inq], ignore_index=True)
        return ev.sort_values(["case_idx", "end"], kind="stable").reset_index(drop=True)


def simulate_office(cfg: OfficeConfig, cases: int, months: int, seed: int, shock: dict[str, Any]) -> OfficeRun:
    """Simulate one office (see ``OfficeSimulator``)."""
    return OfficeSimulator(cfg, cases, months, seed, shock).run()

