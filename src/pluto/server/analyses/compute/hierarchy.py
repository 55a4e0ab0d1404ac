"""Hierarchical clustering with scipy, reported the way R's ``hclust`` reports it.

scipy and R merge the same pairs at the same heights, but draw each merge's two branches in
different orders, so their leaf orders differ by reflections. Here every merge is arranged
by R's rule (``hclust``'s ``merge`` matrix): a single item before a cluster, two items by
their index, two clusters by the step that formed them; the leaf order is then the tree read
left to right, as R's ``order``. Ward's method is scipy's ``ward`` on Euclidean distances,
which is R's ``ward.D2``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
from scipy.cluster.hierarchy import linkage
from scipy.spatial.distance import pdist

from pluto.server.analyses.compute.errors import AnalysisInputError

Distance = Literal["euclidean", "correlation"]
Linkage = Literal["average", "complete", "ward"]
R_METHODS = {"average": "average", "complete": "complete", "ward": "ward.D2"}


@dataclass(frozen=True)
class Tree:
    """A clustering of ``size`` items: R's ``merge`` (step by step, ``-i`` the item i
    counted from 1, ``+j`` the cluster formed at step j), the merge heights, the leaf order
    (0-based item indexes, left to right) and the height at which each pair of neighbouring
    leaves joins (``len(order) - 1`` values: the tree, drawn, is these gaps)."""

    merge: np.ndarray
    heights: np.ndarray
    order: np.ndarray
    neighbour_heights: np.ndarray

    @property
    def size(self) -> int:
        """How many items were clustered."""
        return len(self.order)


def distances(values: np.ndarray, distance: Distance) -> np.ndarray:
    """Condensed distances between the rows of ``values``: Euclidean, or one minus their
    Pearson correlation (R's ``as.dist(1 - cor(t(x)))``)."""
    return pdist(np.asarray(values, dtype=float), metric=distance)


def cluster(values: np.ndarray, distance: Distance, method: Linkage, field: str) -> Tree:
    """The tree of the rows of ``values``; ``field`` is named when distances are undefined
    (a row without variation has no correlation with anything)."""
    rows = values.shape[0]
    if rows < 2:
        return tree_from_distances(np.zeros(0), method, rows)
    condensed = distances(values, distance)
    if not np.isfinite(condensed).all():
        raise AnalysisInputError(
            "Some distances are undefined: a row or column has the same value everywhere, so "
            "it has no correlation with the others; use the euclidean distance.",
            field,
        )
    return tree_from_distances(condensed, method, rows)


def tree_from_distances(condensed: np.ndarray, method: Linkage, size: int) -> Tree:
    """The tree of ``size`` items from their condensed distances (as ``pdist`` gives)."""
    if size < 2:
        return Tree(np.zeros((0, 2), dtype=np.int64), np.zeros(0), np.arange(size), np.zeros(0))
    return tree_of(linkage(condensed, method=method), size)


def tree_of(scipy_linkage: np.ndarray, size: int) -> Tree:
    """A scipy linkage matrix as R's merge, heights and leaf order."""
    merge = np.array([r_merge_row(row, size) for row in scipy_linkage], dtype=np.int64)
    merge = merge.reshape(-1, 2)
    heights = scipy_linkage[:, 2].astype(float)
    order, gaps = read_leaves(merge, heights)
    return Tree(merge, heights, order, gaps)


def r_merge_row(row: np.ndarray, size: int) -> tuple[int, int]:
    """One merge in R's notation and R's branch order."""
    first, second = (r_code(int(node), size) for node in row[:2])
    if first < 0 and second < 0:
        return (max(first, second), min(first, second))
    return (min(first, second), max(first, second))


def r_code(node: int, size: int) -> int:
    """scipy's node number (items 0..n-1, the cluster of step s numbered n+s) in R's."""
    return -(node + 1) if node < size else node - size + 1


def read_leaves(merge: np.ndarray, heights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The leaves left to right and the height between each pair of neighbours.

    Iterative, not recursive: a chained tree of 2,000 rows is 2,000 levels deep."""
    order: list[int] = []
    gaps: list[float] = []
    pending: list[tuple[bool, float]] = [(False, float(len(merge)))]
    while pending:
        is_gap, value = pending.pop()
        if is_gap:
            gaps.append(value)
            continue
        node = int(value)
        if node < 0:
            order.append(-node - 1)
            continue
        left, right = merge[node - 1]
        pending += [(False, float(right)), (True, float(heights[node - 1])), (False, float(left))]
    return np.array(order, dtype=np.int64), np.array(gaps, dtype=float)


def cut(tree: Tree, clusters: int) -> np.ndarray:
    """Per item, its cluster when the tree is cut into ``clusters`` groups by undoing its
    last merges (as R's ``cutree(tree, k)``); clusters are numbered 1, 2, ... in the order
    they first appear in the leaf order."""
    parent = list(range(2 * tree.size - 1))
    for step in range(tree.size - clusters):
        for code in tree.merge[step]:
            parent[node_index(int(code), tree.size)] = tree.size + step
    roots = [root(parent, item) for item in range(tree.size)]
    numbers: dict[int, int] = {}
    for item in tree.order:
        numbers.setdefault(roots[item], len(numbers) + 1)
    return np.array([numbers[r] for r in roots], dtype=np.int64)


def node_index(code: int, size: int) -> int:
    """R's merge code as an index among the items (0..n-1) and steps (n, n+1, ...)."""
    return -code - 1 if code < 0 else size + code - 1


def root(parent: list[int], node: int) -> int:
    """The cluster that holds ``node`` after the merges recorded in ``parent``, shortening
    the path on the way so that deep (chained) trees stay fast."""
    top = node
    while parent[top] != top:
        top = parent[top]
    while parent[node] != top:
        parent[node], node = top, parent[node]
    return top
