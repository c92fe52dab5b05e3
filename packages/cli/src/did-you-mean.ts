import { editDistance } from "@mcpward/core/light";

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
