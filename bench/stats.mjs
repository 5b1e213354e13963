export function median(values) {
  const sorted = values.filter((value) => Number.isFinite(value)).sort((a, b) => a - b);
  if (sorted.length === 0) return NaN;
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export function minMax(values) {
  const finite = values.filter((value) => Number.isFinite(value));
  return [Math.min(...finite), Math.max(...finite)];
}

/** Element-wise ratios of two runs measured round by round. */
export function pairedRatios(numerators, denominators) {
  return numerators.map((value, index) => value / denominators[index]);
}

/** The same list rotated left by `by` places. */
export function rotate(list, by) {
  const shift = ((by % list.length) + list.length) % list.length;
  return [...list.slice(shift), ...list.slice(0, shift)];
}

/** A copy of the list in random order (Fisher–Yates). */
export function shuffled(list) {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}
