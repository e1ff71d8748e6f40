"""Pairing one Swiss round: a maximum-weight matching over the legal pairs (networkx).

Legal pairs are players who have not met. Among the pairings that pair everyone
(`max_weight_matching(maxcardinality=True)`), the engine takes the heaviest, with

    weight(a, b) = GAP_UNIT * (G - gap**2) + (seed_a - seed_b)**2 + 1

where gap is the points difference and G the largest gap**2 in the round. GAP_UNIT exceeds any
sum of the seed term, so the score term decides first: a pair within a score group outweighs
every cross-group pair, and a small float outweighs a large one (two floats of one group beat
one of two). The seed term only orders the pairings the score term leaves equal: it pairs
each group's best seed with its worst (1 v 8, 2 v 7 ... in a group of eight: the "fold",
which maximises the sum of squared seed gaps). Unlike greedy top-down pairing, the matching
sees the whole round, so it never pairs the top of the table in a way that leaves the last
two players with only a rematch.

A bye (odd count) goes to the lowest-ranked player without one, unless that leaves the rest
unpairable; then a bye vertex joins the matching, weighted above every pair so that the
lowest-ranked possible player gets it.

When no pairing keeps both rules (small X-wins fields: with 4 players and 2 wins, the two
1-1 players may have met in round 1), the round is paired anyway rather than leaving the
tournament stuck: the matching then runs over every pair, weighted so that it first avoids a
second bye, then uses as few rematches as possible, then follows the rules above. The caller
reports those rematches and repeated byes (`RoundChanges.rematches`, `repeat_byes`).

Cost: networkx's blossom algorithm is pure Python and about cubic (a dense graph of 512
players takes some 20 s), so a round is solved in pieces, the cheapest that is provably best
first, the most general last:
1. Blocks. Score groups are chained, top down, into blocks of even size. A pair across a
   block boundary forces a second one (the part above is even), so blocks are paired one at
   a time; a block that cannot be paired alone is merged with its neighbour.
2. The ideal. Inside a block the score term is best with exactly one float across each group
   boundary (each has an odd number above it; a float spanning two boundaries costs more than
   two floats of one), between neighbouring groups; given the floats, each group's other
   players are best folded. A small dynamic programme picks the floats that maximise the seed
   term. If that pairing has no rematch, it is the maximum-weight matching and no matching is
   run (a single group whose fold has no rematch is the simplest case).
3. Repairs, when the ideal has a rematch. In a block of several groups, the ideal floats stay
   (or, if one is a rematch, the best floats without one) and each group is paired on its
   own. In a group of more than 16,
   the fold stays except within 2 fold pairs of each rematch, which are re-matched over all
   their legal pairs, or those near their fold partners in a window of more than 16 (the
   window doubles until it pairs). Both keep the score term at its
   best and give up only the global best of the seed term, the last tie-break.
4. Otherwise a matching over the block's candidate edges: in a group of more than 16, each
   player's legal partners within 3 places of its fold partner; between neighbouring groups
   the facing ends (8 x 8) when both are large, all legal pairs when small. If that cannot
   pair the block, all the block's legal pairs; then merging, up to every legal pair of the
   round (with the bye vertex). A legal pairing is therefore always found when one exists,
   and groups of up to 16 are matched over all their legal pairs.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set

import networkx as nx

from deltacrown.brackets.engine.model import ParticipantId

SMALL_GROUP = 16  # up to this size a group's graph holds all its legal pairs
FOLD_WINDOW = 3  # in larger groups: candidates within this many places of the fold partner
FACING_ENDS = 8  # between large neighbouring groups: this many from each facing end
REPAIR_REACH = 2  # a rematch in a large group's fold re-pairs the fold pairs this close

Pair = tuple[ParticipantId, ParticipantId]


class Pairer:
    """Pairs one round. `ranked` is best first (points, then seed)."""

    def __init__(
        self,
        ranked: Sequence[ParticipantId],
        points: Mapping[ParticipantId, int],
        seeds: Mapping[ParticipantId, int],
        met: Mapping[ParticipantId, Set[ParticipantId]],
        had_bye: Set[ParticipantId],
    ) -> None:
        self.ranked = list(ranked)
        self.points = points
        self.seeds = seeds
        self.met = met
        self.had_bye = had_bye
        self.rank = {p: i for i, p in enumerate(self.ranked)}
        scores = [points[p] for p in self.ranked]
        self.max_gap2 = (max(scores) - min(scores)) ** 2 if scores else 0
        top_seed = max(seeds.values(), default=1)
        self.gap_unit = (len(self.ranked) // 2 + 1) * top_seed**2 + 1

    def pair(self) -> tuple[list[Pair], ParticipantId | None]:
        """The pairs (higher-ranked first) and the bye, if any."""
        found = self.pair_legally()
        return found if found is not None else self._pair_least_illegal()

    def pair_legally(self) -> tuple[list[Pair], ParticipantId | None] | None:
        """As `pair`, but None when no pairing avoids every rematch and second bye."""
        players = self.ranked
        if len(players) % 2:
            candidates = [p for p in reversed(players) if p not in self.had_bye]
            if candidates:
                bye = candidates[0]
                pairs = self._pair_blocks([p for p in players if p != bye])
                if pairs is not None:
                    return pairs, bye
            return self._pair_everything_with_bye()
        pairs = self._pair_blocks(players)
        return None if pairs is None else (pairs, None)

    def legal(self, a: ParticipantId, b: ParticipantId) -> bool:
        return b not in self.met.get(a, ())

    def weight(self, a: ParticipantId, b: ParticipantId) -> int:
        gap = self.points[a] - self.points[b]
        seed_gap = self.seeds[a] - self.seeds[b]
        return self.gap_unit * (self.max_gap2 - gap * gap) + seed_gap * seed_gap + 1

    def _pair_blocks(self, players: list[ParticipantId]) -> list[Pair] | None:
        groups: list[list[ParticipantId]] = []
        for p in players:
            if groups and self.points[groups[-1][0]] == self.points[p]:
                groups[-1].append(p)
            else:
                groups.append([p])
        blocks: list[list[list[ParticipantId]]] = []
        size = 0
        for group in groups:
            if size % 2 == 0:
                blocks.append([])
            blocks[-1].append(group)
            size += len(group)
        pairs: list[Pair] = []
        i = 0
        while i < len(blocks):
            found = self._pair_block(blocks[i])
            if found is not None:
                pairs.extend(found)
                i += 1
                continue
            if len(blocks) == 1:
                return None
            if i + 1 < len(blocks):
                blocks[i : i + 2] = [blocks[i] + blocks[i + 1]]
            else:  # the last block: merge it upwards and redo the block above
                previous = set(_flatten(blocks[i - 1]))
                pairs = [pair for pair in pairs if pair[0] not in previous]
                blocks[i - 1 : i + 1] = [blocks[i - 1] + blocks[i]]
                i -= 1
        return sorted(pairs, key=lambda pair: self.rank[pair[0]])

    def _pair_block(self, block: list[list[ParticipantId]]) -> list[Pair] | None:
        ideal = self._ideal(block)
        if ideal is not None:
            floats, folds = ideal
            if all(self.legal(a, b) for a, b in floats + folds):
                return [self._ordered(a, b) for a, b in floats + folds]
            if len(block) > 1:
                if not all(self.legal(a, b) for a, b in floats):
                    legal_ideal = self._ideal(block, legal_floats=True)
                    floats = legal_ideal[0] if legal_ideal is not None else []
                pairs = self._pair_groups_around(block, floats) if floats else None
                if pairs is not None:
                    return pairs
            if len(block) == 1 and len(block[0]) > SMALL_GROUP:
                pairs = self._repair_fold(block[0])
                if pairs is not None:
                    return pairs
        graph = nx.Graph()
        for i, group in enumerate(block):
            self._group_edges(graph, group)
            if i + 1 < len(block):
                self._facing_edges(graph, group, block[i + 1])
        players = _flatten(block)
        pairs = self._match(graph, players)
        if pairs is None:
            pairs = self._pair_dense(players)
        return pairs

    def _pair_groups_around(
        self, block: list[list[ParticipantId]], floats: list[Pair]
    ) -> list[Pair] | None:
        """Keep the ideal floats and match each group's other players on their own."""
        gone = {p for pair in floats for p in pair}
        pairs = [self._ordered(a, b) for a, b in floats]
        for group in block:
            rest = [p for p in group if p not in gone]
            found = self._pair_block([rest]) if rest else []
            if found is None:
                return None
            pairs.extend(found)
        return pairs

    def _repair_fold(self, group: list[ParticipantId]) -> list[Pair] | None:
        """Keep the fold of a large group except around its rematches, re-matched there."""
        half = len(group) // 2
        fold = _fold(group)
        bad = [i for i, (a, b) in enumerate(fold) if not self.legal(a, b)]
        reach = REPAIR_REACH
        while reach < half:
            # Fold pairs lo..hi (the players at both ends of the group) form one window.
            windows: list[list[int]] = []
            for i in bad:
                lo, hi = max(0, i - reach), min(half - 1, i + reach)
                if windows and lo <= windows[-1][1] + 1:
                    windows[-1][1] = hi
                else:
                    windows.append([lo, hi])
            pairs: list[Pair] = []
            kept = 0
            for lo, hi in windows:
                pairs.extend(fold[kept:lo])
                kept = hi + 1
                # In group order, so that the window's own fold is the group's fold there.
                players = group[lo : hi + 1] + group[len(group) - 1 - hi : len(group) - lo]
                found = self._pair_window(players)
                if found is None:
                    break
                pairs.extend(found)
            else:
                pairs.extend(fold[kept:])
                return [self._ordered(a, b) for a, b in pairs]
            reach *= 2
        return None

    def _pair_window(self, players: list[ParticipantId]) -> list[Pair] | None:
        """A repair window: all its legal pairs if small, else those near the fold partner."""
        if len(players) <= SMALL_GROUP:
            return self._pair_dense(players)
        graph = nx.Graph()
        self._group_edges(graph, players)
        return self._match(graph, players) or self._pair_dense(players)

    def _ideal(
        self, block: list[list[ParticipantId]], *, legal_floats: bool = False
    ) -> tuple[list[Pair], list[Pair]] | None:
        """The heaviest pairing of the block ignoring rematches (in the floats too, unless
        `legal_floats`): one float across each boundary with an odd number above it (none
        across an even one, met in merged blocks); (floats, folds)."""
        seeds = self.seeds
        # best[b] = (value so far, floats so far) given that `b` (or None) of the current group
        # was taken by the float from the group above.
        best: dict[ParticipantId | None, tuple[int, list[Pair]]] = {None: (0, [])}
        above = 0
        downs: list[ParticipantId | None]
        ups: list[ParticipantId | None]
        for j, group in enumerate(block):
            above += len(group)
            if j + 1 == len(block) or above % 2 == 0:
                downs, ups = [None], [None]
            else:
                facing = self._facing(group, block[j + 1])
                downs, ups = list(facing[0]), list(facing[1])
            nxt: dict[ParticipantId | None, tuple[int, list[Pair]]] = {}
            for taken, (value, floats) in best.items():
                for down in downs:
                    if down is not None and down == taken:
                        continue
                    rest = [p for p in group if p != taken and p != down]
                    inner = value + sum((seeds[a] - seeds[b]) ** 2 for a, b in _fold(rest))
                    for up in ups:
                        total = inner
                        chain = floats
                        if legal_floats and up is not None and not self.legal(down, up):  # type: ignore[arg-type]
                            continue
                        if up is not None:
                            total += (seeds[down] - seeds[up]) ** 2  # type: ignore[index]
                            chain = [*floats, (down, up)]  # type: ignore[list-item]
                        if up not in nxt or total > nxt[up][0]:
                            nxt[up] = (total, chain)
            best = nxt
        if None not in best:
            return None
        _, floats = best[None]
        folds: list[Pair] = []
        gone = {p for pair in floats for p in pair}
        for group in block:
            rest = [p for p in group if p not in gone]
            if len(rest) % 2:
                return None
            folds.extend(_fold(rest))
        return floats, folds

    def _facing(
        self, upper: list[ParticipantId], lower: list[ParticipantId]
    ) -> tuple[list[ParticipantId], list[ParticipantId]]:
        """Who may float between neighbouring groups: all of both, or their facing ends."""
        if len(upper) * len(lower) > SMALL_GROUP * SMALL_GROUP:
            return upper[-FACING_ENDS:], lower[:FACING_ENDS]
        return upper, lower

    def _group_edges(self, graph: nx.Graph, group: list[ParticipantId]) -> None:
        size = len(group)
        for p, a in enumerate(group):
            if size <= SMALL_GROUP:
                partners = range(p + 1, size)
            else:
                fold = size - 1 - p
                partners = range(max(p + 1, fold - FOLD_WINDOW), min(size, fold + FOLD_WINDOW + 1))
            for q in partners:
                b = group[q]
                if self.legal(a, b):
                    graph.add_edge(a, b, weight=self.weight(a, b))

    def _facing_edges(
        self, graph: nx.Graph, upper: list[ParticipantId], lower: list[ParticipantId]
    ) -> None:
        upper, lower = self._facing(upper, lower)
        for a in upper:
            for b in lower:
                if self.legal(a, b):
                    graph.add_edge(a, b, weight=self.weight(a, b))

    def _pair_dense(self, players: list[ParticipantId]) -> list[Pair] | None:
        graph = nx.Graph()
        for i, a in enumerate(players):
            for b in players[i + 1 :]:
                if self.legal(a, b):
                    graph.add_edge(a, b, weight=self.weight(a, b))
        return self._match(graph, players)

    def _pair_everything_with_bye(self) -> tuple[list[Pair], ParticipantId | None] | None:
        players = self.ranked
        graph = nx.Graph()
        for i, a in enumerate(players):
            for b in players[i + 1 :]:
                if self.legal(a, b):
                    graph.add_edge(a, b, weight=self.weight(a, b))
        bye_node = _ByeNode()
        pair_ceiling = self.gap_unit * (self.max_gap2 + 1) * (len(players) // 2 + 1)
        for p in players:
            if p not in self.had_bye:  # lower-ranked players weigh more
                graph.add_edge(bye_node, p, weight=pair_ceiling * (self.rank[p] + 1))
        matching = nx.max_weight_matching(graph, maxcardinality=True)
        if 2 * len(matching) != len(players) + 1:
            return None
        bye = None
        pairs: list[Pair] = []
        for a, b in matching:
            if a is bye_node or b is bye_node:
                bye = b if a is bye_node else a
            else:
                pairs.append(self._ordered(a, b))
        return sorted(pairs, key=lambda pair: self.rank[pair[0]]), bye

    def _pair_least_illegal(self) -> tuple[list[Pair], ParticipantId | None]:
        """Every pair allowed; tiers: no second bye >> fewer rematches >> bye rank >> weight."""
        players = self.ranked
        n = len(players)
        pair_ceiling = self.gap_unit * (self.max_gap2 + 1) * (n // 2 + 1)
        rank_unit = pair_ceiling
        legal_unit = (n + 1) * rank_unit + 1
        fresh_bye_unit = (n // 2 + 1) * (legal_unit + pair_ceiling) * 2
        graph = nx.Graph()
        for i, a in enumerate(players):
            for b in players[i + 1 :]:
                legal = legal_unit if self.legal(a, b) else 0
                graph.add_edge(a, b, weight=legal + self.weight(a, b))
        bye_node = _ByeNode()
        if n % 2:
            for p in players:
                fresh = 0 if p in self.had_bye else fresh_bye_unit
                graph.add_edge(bye_node, p, weight=fresh + rank_unit * (self.rank[p] + 1))
        bye = None
        pairs: list[Pair] = []
        for a, b in nx.max_weight_matching(graph, maxcardinality=True):
            if a is bye_node or b is bye_node:
                bye = b if a is bye_node else a
            else:
                pairs.append(self._ordered(a, b))
        return sorted(pairs, key=lambda pair: self.rank[pair[0]]), bye

    def _match(self, graph: nx.Graph, players: list[ParticipantId]) -> list[Pair] | None:
        if graph.number_of_nodes() < len(players):
            return None  # somebody has no legal partner in this graph
        matching = nx.max_weight_matching(graph, maxcardinality=True)
        if 2 * len(matching) != len(players):
            return None
        return [self._ordered(a, b) for a, b in matching]

    def _ordered(self, a: ParticipantId, b: ParticipantId) -> Pair:
        return (a, b) if self.rank[a] < self.rank[b] else (b, a)


class _ByeNode:
    """The bye's vertex: a fresh object, so it cannot collide with a participant id."""

    __slots__ = ()


def _fold(group: list[ParticipantId]) -> list[Pair]:
    size = len(group)
    return [(group[i], group[size - 1 - i]) for i in range(size // 2)]


def _flatten(block: list[list[ParticipantId]]) -> list[ParticipantId]:
    return [p for group in block for p in group]
