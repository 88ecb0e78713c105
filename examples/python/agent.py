#!/usr/bin/env python3
"""A time-dependent negotiation agent for parley, in plain Python 3.

It speaks parley's agent protocol, parley.agent/1 (docs/agent-protocol.md):
one JSON message per line on stdin and stdout. Run it with

    parley simulate --genius DOMAIN.xml A.xml B.xml \
        --agents "exec:python3 examples/python/agent.py,boulware"

It plays alternating offers (propose, respond), answers a mediator's single
text clause by clause, and can mediate a text. Its target utility at
relative time t is

    target(t) = pmin + (pmax - pmin) * (1 - t ** (1 / e)) * d ** t

with pmax its best utility, pmin the larger of its worst utility and its
reservation value, e the concession exponent (--e, default 1: linear;
below 1 concedes late, above 1 early) and d its discount factor (1 when
there is none): with discounting, the surplus it asks for shrinks like the
pie, so it concedes earlier. Standard library only.
"""

import bisect
import itertools
import json
import os
import random
import sys

ENUMERATE_LIMIT = 200_000  # outcomes; beyond, a random sample is kept


class Profile:
    """The agent's own preferences, as settings gives them."""

    def __init__(self, p):
        self.values = p["values"]
        self.rects = [(r["utility"], [(s["issue"], set(s["options"])) for s in r["region"]])
                      for r in p.get("rects") or []]
        self.reservation = p["reservation"]
        self.discount = p.get("discount") or 1.0

    def utility(self, o):
        u = 0.0
        for i, k in enumerate(o):
            u += self.values[i][k]
        for ru, region in self.rects:
            if all(o[i] in opts for i, opts in region):
                u += ru
        return u


class Agent:
    def __init__(self, settings, exponent):
        self.e = exponent
        self.role = settings["role"]
        self.me = settings["party"]
        self.issues = settings["domain"]["issues"]
        self.sizes = [len(i["options"]) for i in self.issues]
        self.rng = random.Random(settings.get("seed", 0))
        self.profile = Profile(settings["profile"]) if settings.get("profile") else None
        self.rejected = set()  # issues some party rejected (mediator)
        self.pointer = [0] * len(self.sizes)
        if self.profile is not None:
            self._index()

    def _index(self):
        """Sorts the outcomes by utility (or a sample of them)."""
        p = self.profile
        n = 1
        for s in self.sizes:
            n *= s
        if n <= ENUMERATE_LIMIT:
            outcomes = itertools.product(*[range(s) for s in self.sizes])
        else:
            outcomes = (tuple(self.rng.randrange(s) for s in self.sizes) for _ in range(ENUMERATE_LIMIT))
        best = tuple(max(range(s), key=lambda k, i=i: p.values[i][k]) for i, s in enumerate(self.sizes))
        pairs = sorted({(p.utility(o), o) for o in itertools.chain(outcomes, [best])})
        self.utils = [u for u, _ in pairs]
        self.outcomes = [list(o) for _, o in pairs]
        self.best = list(best)
        self.hopeless = p.utility(self.best) <= p.reservation
        self.pmax = self.utils[-1]
        self.pmin = min(max(self.utils[0], p.reservation), self.pmax)

    def target(self, t):
        t = min(max(t, 0.0), 1.0)
        surplus = (self.pmax - self.pmin) * (1 - t ** (1 / self.e))
        return self.pmin + surplus * self.profile.discount ** t

    def bid(self, target):
        """The outcome of least utility at or above target (or the best)."""
        k = min(bisect.bisect_left(self.utils, target), len(self.utils) - 1)
        return self.outcomes[k], self.utils[k]

    def act(self, turn):
        kind = turn["kind"]
        if kind == "text":
            return self.write_text(turn)
        if self.hopeless:
            return {"type": "end_negotiation", "reason": "nothing beats my reservation value"}
        target = self.target(turn["t"])
        if kind == "answer":
            return self.answer(turn, target)
        mine, mine_u = self.bid(target)
        if kind == "respond":
            u = self.profile.utility(turn["offer"])
            if u > self.profile.reservation and (u >= target or u >= mine_u):
                return {"type": "accept"}
        return {"type": "offer", "bid": mine}

    def answer(self, turn, target):
        """Accepts a proposed clause when the text with it (and my best
        options where nothing is agreed yet) still reaches the target."""
        text = turn["text"]
        base = []
        for i, c in enumerate(text):
            if not c["on_agenda"]:
                base.append(self.issues[i]["status_quo"])
            elif c["state"] == "agreed":
                base.append(c["option"])
            else:
                base.append(self.best[i])
        answers = []
        for i, c in enumerate(text):
            if not c["on_agenda"] or c["state"] != "proposed":
                answers.append("none")
                continue
            o = list(base)
            o[i] = c["option"]
            ok = self.profile.utility(o) >= target
            answers.append("accept" if ok else "reject")
        return {"type": "answer", "answers": answers}

    def write_text(self, turn):
        """A mediator without preferences: it keeps what every party
        accepted and moves every other clause to its next option."""
        out = []
        for i, c in enumerate(turn["text"]):
            if not c["on_agenda"]:
                out.append(-1)
            elif c["state"] == "agreed":
                out.append(c["option"])
            elif c["state"] == "proposed" and i not in self.rejected:
                out.append(c["option"])
            else:
                self.pointer[i] = (self.pointer[i] + 1) % self.sizes[i] if c["state"] != "open" else self.pointer[i]
                out.append(self.pointer[i])
        self.rejected.clear()
        return {"type": "text", "text": out}

    def observe(self, done):
        if done["action"] == "answer":
            for i, a in enumerate(done["answers"]):
                if a == "reject":
                    self.rejected.add(i)


def main():
    exponent = 1.0
    args = sys.argv[1:]
    if len(args) == 2 and args[0] == "--e":
        exponent = float(args[1])
    elif args:
        sys.exit("usage: agent.py [--e EXPONENT]")
    dumps = json.JSONEncoder(separators=(",", ":")).encode
    loads = json.loads
    agent = None
    for raw in sys.stdin.buffer:
        msg = loads(raw)
        kind = msg["type"]
        if kind == "your_turn":
            reply = agent.act(msg)
            reply["turn"] = msg["turn"]
            # One unbuffered write per reply: the engine waits for it.
            os.write(1, (dumps(reply) + "\n").encode())
        elif kind == "action_done":
            agent.observe(msg)
        elif kind == "settings":
            if msg["protocol"] != "parley.agent/1":
                sys.exit("unknown protocol " + msg["protocol"])
            agent = Agent(msg, exponent)
        elif kind == "finished":
            break


if __name__ == "__main__":
    main()
