"""The readings of one question and their scores: what a question can be read as asking, given
what it names (`graph.mentions`), its cue words (`graph.cues`) and who gives and who gets
(`graph.sides`).

`Context` yields, from one question's evidence (`graph.evidence`), every reading the graph can
answer — flows between departments, who gives or gets a topic, what a flow is for, a pair's
goals and cooperation, examples, principles, a search — each scored by its intent's strength,
how surely its departments and sides are known, and the share of the question's content it
explains (`Evidence.coverage`). Which reading wins, and whether it is answered, is `graph.questions`'s.
"""

from __future__ import annotations

from collections.abc import Iterable

from graph.ask_index import tokens
from graph.cues import Intent
from graph.evidence import Evidence, Reading
from graph.mentions import FIRST_PERSON
from graph.sides import (
    asks_object,
    first_verb,
    side_evidence,
    words_after,
    words_before,
)
from graph.terms import stem
from graph.words import Phrases

# How much a word the documents never use counts against a reading (a word they use counts 1);
# Words that speak of departments in general ("các phòng ban", "teams", "each other").
_DEPARTMENTS_IN_GENERAL = Phrases(
    (
        "phòng ban",
        "các phòng",
        "bộ phận",
        "departments",
        "teams",
        "each other",
        "nhau",
        "other teams",
        "other departments",
        "everyone",
        "cross department",
        "cross team",
        "cross functional",
        "inter department",
        "across departments",
        "across teams",
        "liên phòng ban",
    )
)
# Words that only say cooperation is good ("hiệu quả", "effectively") or that it has rules to
# follow: they pick no one principle.
_ANY_PRINCIPLE = frozenset(
    stem(w)
    for w in (
        *("hieu", "qua", "tot", "well", "effectively", "effective", "smoothly", "good", "better", "hon"),
        *("tuan", "theo", "follow", "apply", "ap", "dung", "de", "need", "needs", "can"),
    )
)
_QUESTION_WORDS = frozenset(
    stem(w)
    for w in "what which who whom whose where why how when does do did gi nao dau sao ai the".split()  # noqa: SIM905
)

# Verbs of passing on what reached you ("pass that on", "chuyển cho", "gửi cho").
_PASSING = Phrases(("pass", "passes", "pass on", "forward", "forwards", "send", "sends", "hand over", "chuyển",
                    "chuyển tiếp", "gửi", "chuyển lên"))  # fmt: skip


class Context(Evidence):
    """The readings of one question, each scored (`Evidence.coverage`)."""

    def readings(self) -> Iterable[Reading]:
        yield from self.flow_readings()
        yield from self.wh_readings()
        yield from self.purpose_readings()
        yield from self.pair_readings()
        yield from self.example_readings()
        yield from self.principle_readings()
        yield from self.search_readings()

    def flow_readings(self) -> Iterable[Reading]:
        keys = self.keys
        verb = first_verb(self.sides, set())
        if not keys or not verb or len(keys) > 2:
            if not keys and verb:
                self.why.append("department")
            return
        topics, term, topic_sure = self.topics, self.term, 1.0
        if not topics and self.leftover:
            inferred, inferred_term, inferred_sure = self._inferred_topics(strict=True)
            if inferred:  # "… thông tin gì về thanh toán …": every leftover word is in the topics' names
                topics, term, topic_sure = inferred, inferred_term, inferred_sure
        if topics == self.topics and self._slot_unknown():
            self.why.append("known department")
            return
        if self.sides.wh and not self.cues:
            return  # "Who gives Sales …": asks for a department (wh_readings)
        strength = 0.9 if self.sides.giving or self.sides.getting else 0.7
        if any(intent in (Intent.PURPOSE, Intent.EXAMPLE, Intent.SHARED_GOALS, Intent.ROLE, Intent.PRINCIPLES)
               and strong >= 0.9 for intent, strong, _, _ in self.cues):  # fmt: skip
            strength *= 0.5
        for giver, getter, sure in self._roles(verb):
            items = self.flows_of(giver, getter, topics)
            if not items:
                self.why.append("relationship" if giver and getter and not self.flows_of(giver, getter, []) else
                                "topic")  # fmt: skip
                continue
            intent = Intent.NEEDS if getter is not None else Intent.CONTRIBUTIONS
            order = [getter, giver] if intent is Intent.NEEDS else [giver, getter]
            reading = Reading(intent, [k for k in order if k], list(topics), giver, getter, term=term)
            reading.items = items
            reading.score = strength * sure * topic_sure * self.sure() * self.coverage(reading, items) ** 2
            yield reading

    def wh_readings(self) -> Iterable[Reading]:
        """Who gives, who gets: a wh-word asks for the side no department fills."""
        wh = self.sides.wh
        if not wh and not (self.sides.from_ and not self.keys and first_verb(self.sides, set()) == "get"):
            return
        topics, term, sure = self._inferred_topics()
        if not topics:
            self.why.append("topic")
            return
        if self._slot_unknown() and self.keys:
            self.why.append("known department")
            return
        said = self.said
        asks = ""  # "giver" or "getter"
        if self.sides.from_ and all(said.stop(i) for i in range(max(self.sides.from_), len(said))):
            asks = "giver"  # "where do I get competitor analysis from", "… does the sales team get X from?"
        elif self.sides.giving and self.sides.to and max(self.sides.to) == len(said) - 1 and said.folded[-1] == "to":
            asks = "getter"  # "who am I supposed to send info on unpaid invoices to?": "to" left at the end
        for start in sorted(wh) if not asks else ():
            end = wh[start]
            before = words_before(said, start, 2)
            after = words_after(said, end, 3)
            if asks_object(said, end, self.departments):
                # "Who do I tell …?", "Which departments does Sales share … with?": the wh-word is
                # the object, so a verb of giving asks for the getter, of getting for the giver.
                verb = next((i for i in range(end, len(said)) if i in self.sides.giving or i in self.sides.getting),
                            None)  # fmt: skip
                if verb is not None:
                    asks = "getter" if verb in self.sides.giving else "giver"
                    break
            if any(i in self.sides.from_ for i in before[:1]):
                asks = "giver"
            elif before and (
                before[0] in self.sides.getting
                or (len(before) > 1 and said.stop(before[0]) and before[1] in self.sides.getting)
            ):
                asks = "giver"  # "chính sách giá lấy ở đâu?", "… thì xin bên nào?": got from whom
            elif (
                any(i in self.sides.to for i in before[:2])
                or any(i in self.sides.going for i in before[:1])
                or any(i in self.sides.handling for i in after)
                or any(i in self.sides.going for i in after)
            ):
                asks = "getter"
            elif any(i in self.sides.giving for i in after):
                asks = "giver"
            elif any(i in self.sides.getting for i in after):
                asks = "getter"
            if asks:
                break
        named = {m.keys[0]: side_evidence(m, said, self.sides) for m in self.departments}
        if not asks:
            if named:  # the side the named department does not take
                gives, gets = next(iter(named.values()))
                asks = "getter" if gives > gets else "giver" if gets > gives else ""
            elif self.sides.giving:
                asks = "giver"
            elif self.sides.getting or self.sides.going:
                asks = "getter"
            elif self._topic_gives():
                asks = "giver"  # "Ai là người hỗ trợ kỹ thuật cho mình?": the topic's own verb gives
        if not asks:
            return
        handling = bool(self.sides.handling)
        partner = self.keys[0] if len(self.keys) == 1 else None
        if asks == "getter" and handling and not partner and not self._handled(topics):
            asks = "giver"  # "competitor analysis thì phòng nào lo?": no one is handed it; it is someone's output
        if asks == "giver":
            items = self._said_by(self.flows_of(None, partner, topics), term)
            reading = Reading(Intent.PROVIDERS, [partner] if partner else [], topics, None, partner, term=term)
            reading.only = [item.key for item in items]
        else:
            items = self.flows_of(partner, None, topics)
            if not items and not partner:
                items = [i for i in self.index.items if set(i.topics) & set(topics) and i.receiver]
            reading = Reading(Intent.RECIPIENTS, [partner] if partner else [], topics, partner, None, term=term,
                              handling=handling)  # fmt: skip
            passes_on = any(True for _ in said.find_any(_PASSING)) and any(True for _ in said.find_any(FIRST_PERSON))
            if not partner and passes_on:
                # "who do I pass that to?", "mình chuyển cho bộ phận nào?": the asker passes on what
                # reached them, from the asker's side (the department every relationship has on one
                # side), not to it ("Who do I tell …?" may be anyone's: not read so)
                reading.provider = self.index.hub
        if not items and asks == "giver":
            self.why.append("topic")
            return
        if len(self.keys) > 1:
            sure *= 0.5
        if self.strength(Intent.ROLE):
            sure *= 0.7  # "Who is responsible for collecting receivables?" asks whose duty it is
        reading.items = items
        reading.score = 0.95 * sure * self.sure() * self.coverage(reading, items) ** 2
        yield reading

    def purpose_readings(self) -> Iterable[Reading]:
        strength = self.strength(Intent.PURPOSE)
        if not strength:
            return
        topics, term, sure = self._inferred_topics()
        verb = first_verb(self.sides, set()) or "get"
        roles = self._roles(verb) if self.keys and len(self.keys) <= 2 else [(None, None, 1.0)]
        for giver, getter, how_sure in roles:
            items = [f for f in self.flows_of(giver, getter, topics) if f.purpose]
            if not items and topics and not self.topics:  # topics guessed from words that pick flows themselves
                items = self.picked([f for f in self.flows_of(giver, getter, []) if f.purpose], self.content_words())
                topics, term = [], ""
            if not items:
                self.why.append("topic")
                continue
            order = [getter, giver]
            reading = Reading(Intent.PURPOSE, [k for k in order if k], topics, giver, getter, term=term)
            if not topics and self.content_words() and len(items) > 1:
                picked = self.picked(items, self.content_words())  # "… công cụ … để làm gì": those it says
                if picked and len(picked) < len(items):
                    items, reading.only = picked, [f.key for f in picked]
            reading.items = items
            reading.score = strength * sure * how_sure * self.sure() * self.coverage(reading, items) ** 2
            yield reading

    def _pair(self) -> tuple[str, str] | None:
        keys = self.keys
        if len(keys) == 2:
            return keys[0], keys[1]
        return None

    def pair_readings(self) -> Iterable[Reading]:
        for intent in (Intent.SHARED_GOALS, Intent.ROLE, Intent.COOPERATION):
            strength = self.strength(intent)
            if not strength:
                continue
            pair = self._pair()
            if pair is None:
                yield from self._scattered(intent, strength)
                continue
            first, second = pair
            if intent is Intent.ROLE:
                # "Khi phối hợp với Marketing, Kinh doanh có nhiệm vụ gì?": the one "with" is the partner.
                with_ = [m for m in self.departments if any(
                    self.said.says(i, w) for i in words_before(self.said, m.start, 1)
                    for w in ("với", "with"))]  # fmt: skip
                partner = with_[0].keys[0] if with_ else None
                if partner == first:
                    first, second = second, first
            relationship = self.index.relationships.get(frozenset(pair))
            if relationship is None:
                self.why.append("relationship")
                continue
            label = {Intent.SHARED_GOALS: "Goal", Intent.ROLE: "Duty", Intent.COOPERATION: "Activity"}[intent]
            items = [i for i in self.index.items if i.relationship == relationship and i.label == label]
            if intent is Intent.ROLE:
                items = [i for i in items if i.provider == first]
            if not items:
                self.why.append("relationship")
                continue
            reading = Reading(intent, [first, second])
            picked = self.picked(items, self.content_words()) if self.topics else []
            if picked and len(picked) < len(items):  # "… thu hồi công nợ": those about it
                items, reading.only = picked, [i.key for i in picked]
            reading.items = items
            if intent is Intent.COOPERATION and (self.strength(Intent.SHARED_GOALS) or self.strength(Intent.ROLE)):
                strength *= 0.5
            reading.score = strength * self.sure() * self.coverage(reading, items) ** 2
            yield reading

    def _scattered(self, intent: Intent, strength: float) -> Iterable[Reading]:
        """Goals, duties or activities asked of one department and the others ("Mục tiêu chung giữa
        KD và các phòng ban khác", "Is it Sales's job to …?") or of no department named ("Who is
        responsible for collecting receivables?"): those of every relationship of the department (of
        any, when none is named) that say what the question says."""
        if len(self.keys) > 1:
            self.why.append("two departments")
            return
        named = self.keys[0] if self.keys else None
        label = {Intent.SHARED_GOALS: "Goal", Intent.ROLE: "Duty", Intent.COOPERATION: "Activity"}[intent]
        items = [i for i in self.index.items if i.label == label and (named is None or named in i.pair)]
        if intent is Intent.ROLE and named:
            items = [i for i in items if i.provider == named]
        words = self.content_words()
        if words:
            items = self.picked(items, words)
        elif named is None:
            self.why.append("two departments")
            return
        if not items:
            self.why.append("topic")
            return
        pairs = list(dict.fromkeys((i.pair[0], i.pair[1]) for i in items if len(i.pair) == 2))
        reading = Reading(
            intent,
            [named] if named else [],
            list(self.topics),
            term=self.term,
            only=[i.key for i in items] if words else [],
            pairs=pairs,
        )
        reading.items = items
        reading.score = (0.9 if named else 0.8) * strength * self.sure() * self.coverage(reading, items) ** 2
        yield reading

    def example_readings(self) -> Iterable[Reading]:
        strength = self.strength(Intent.EXAMPLE)
        if not strength:
            return
        pair = self._pair()
        if pair is not None:
            relationship = self.index.relationships.get(frozenset(pair))
            items = [i for i in self.index.items if i.label == "Scenario" and i.relationship == relationship]
            reading = Reading(Intent.EXAMPLE, list(pair), list(self.topics), term=self.term)
        else:
            topics, term, sure = self._inferred_topics()
            strength *= sure
            items = [i for i in self.index.items if i.label == "Scenario" and set(i.topics) & set(topics)]
            reading = Reading(Intent.EXAMPLE, [], topics, term=term)
            picked = self.picked(items, self.content_words()) if len(items) > 1 else []
            if picked and len(picked) < len(items):  # "the feature Y story": of the examples about features, Y's
                items, reading.only = picked, [i.key for i in picked]
        if not items:
            self.why.append("two departments or a topic")
            return
        if pair is None and len(self.keys) == 1 and all(self.keys[0] in i.pair for i in items):
            # "… KD cần biết mức chiết khấu …": the one department named is in every example found, so
            # named; a department outside them picks nothing ("What happens when Engineering gets a
            # complaint …" is still the complaint example).
            reading.departments = list(self.keys)
        reading.items = items
        reading.score = strength * self.sure() * self.coverage(reading, items) ** 2
        yield reading

    def principle_readings(self) -> Iterable[Reading]:
        """The principles of cooperation: asked for by name, or of departments in general ("How
        should teams share information with each other?" — those whose texts say what it asks)."""
        strength = self.strength(Intent.PRINCIPLES)
        spans = self.said.find_any(_DEPARTMENTS_IN_GENERAL)
        general = {i for start, end in spans for i in range(start, end)}
        # "Công ty có những phòng ban nào?", "Which departments …": which there are, not how they cooperate.
        which = any((end < len(self.said) and self.said.folded[end] == "nao")
                    or any(self.said.folded[i] in ("which", "what") for i in words_before(self.said, start, 1))
                    for start, end in spans)  # fmt: skip
        generic = bool(general) and not which
        if not strength and not self.keys and generic:
            strength = 0.8 if self.strength(Intent.COOPERATION) else 0.7  # how departments work together
        if not strength:
            return
        items = [i for i in self.index.items if i.label == "Principle"]
        reading = Reading(Intent.PRINCIPLES)
        cue = {i for intent, _, start, end in self.cues if intent in (Intent.PRINCIPLES, Intent.COOPERATION)
               for i in range(start, end)}  # fmt: skip
        named = {i for m in self.mentions if m.kind == "Department" for i in range(m.start, m.end)}
        words = [self.said.folded[i] for i in range(len(self.said)) if i not in cue | named | general
                 and not self.said.stop(i) and self.said.stems[i] not in _ANY_PRINCIPLE]  # fmt: skip
        picked = self.picked(items, words) if words else []
        if picked and len(picked) < len(items):
            items, reading.only = picked, [i.key for i in picked]
        reading.items = items
        coverage = self.coverage(reading, items, names=0.5, also=frozenset(general))  # "cross-department": all of them
        reading.score = strength * (0.6 if self.keys else 1.0) * coverage**2
        yield reading

    def search_readings(self) -> Iterable[Reading]:
        """What the document says of the words: the items that say most of them."""
        # Bare words ("brochure", "chiết khấu") ask what the document says of them; a question
        # that asks something no reading understood is no search.
        asking = any(self.said.stems[i] in _QUESTION_WORDS for i in range(len(self.said)))
        strength = self.strength(Intent.SEARCH) or (0.75 if not (self.cues or self.sides.wh or asking) else 0.4)
        words = [self.said.folded[i] for i in self.leftover]
        named = [" ".join(self.said.folded[m.start : m.end]) for m in self.mentions]
        query = [t for w in [*named, *words] for t in tokens(w)]
        if not query:
            return
        scores = self.index.text.score([*query, *tokens(" ".join([*named, *words]))])
        if not scores:
            return
        ranked = sorted(scores.items(), key=lambda kv: -kv[1])
        top = ranked[0][1]
        items = [self.index.items[n] for n, s in ranked if s >= 0.5 * top][:10]
        # Every content word must be said by one item at least (search's own rule), names included.
        best_share = 0.0
        content = [i for i in range(len(self.said)) if not self.said.stop(i) and i in self.leftover]
        for item in items[:3]:
            said = set(self.index.text.tokens_of(item))
            for m in self.mentions:
                said |= {t for name in self.index.lexicon.names.get((m.kind, m.keys[0]), ()) for t in tokens(name)}
            share = sum(self.said.stems[i] in said for i in content) / len(content) if content else 1.0
            best_share = max(best_share, share)
        reading = Reading(Intent.SEARCH, [], list(self.topics), term=self.term, words=" ".join(words))
        reading.items = items
        named_share = 1.0 if self.mentions else 0.0
        total = len(content) + 2 * len(self.mentions)
        coverage = (best_share * len(content) + 2 * len(self.mentions) * named_share) / total if total else 0.0
        reading.score = strength * coverage**2 * (1.0 if len(self.mentions) <= 1 else 0.8)
        yield reading
