/**
 * Optimal string alignment distance: insertions, deletions, substitutions
 * and swaps of neighbours each cost 1.
 */
function editDistance(a: string, b: string): number {
  const cols = b.length + 1;
  const d: number[] = new Array((a.length + 1) * cols).fill(0);
  for (let i = 0; i <= a.length; i++) d[i * cols] = i;
  for (let j = 0; j <= b.length; j++) d[j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min(
        d[(i - 1) * cols + j]! + 1,
        d[i * cols + j - 1]! + 1,
        d[(i - 1) * cols + j - 1]! + cost,
      );
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        best = Math.min(best, d[(i - 2) * cols + j - 2]! + 1);
      }
      d[i * cols + j] = best;
    }
  }
  return d[a.length * cols + b.length]!;
}

/**
 * The candidates closest to `word`, best first: within 1 edit for short
 * words, 2 for longer ones, or starting with `word` (3+ characters).
 *
 * @param word - what the user typed, e.g. `--jsn`
 * @param candidates - the valid names, e.g. `["--json", "--raw"]`
 * @returns up to two candidates, as given
 */
export function didYouMean(word: string, candidates: readonly string[]): string[] {
  const target = word.toLowerCase().slice(0, 64);
  const bare = target.replace(/^-+/, "");
  const limit = bare.length <= 4 ? 1 : 2;
  return candidates
    .map((candidate) => {
      const lower = candidate.toLowerCase();
      const distance = editDistance(target, lower);
      const prefix = bare.length >= 3 && lower.replace(/^-+/, "").startsWith(bare);
      return { candidate, score: prefix ? Math.min(distance, 1) : distance };
    })
    .filter(({ score }) => score <= limit)
    .sort((x, y) => x.score - y.score)
    .slice(0, 2)
    .map(({ candidate }) => candidate);
}
