// The service's data and logic, kept free of HTTP so it can be tested directly.
export const tips = [
  'Copy the dependency manifests first, install, then copy the source.',
  'A layer is rebuilt when anything copied before it changes.',
  'Keep node_modules, dist and .git out of the build context with .dockerignore.',
  'A cache mount keeps npm\'s download cache between builds without putting it in a layer.',
  'Only the last stage ships: build tools can stay in the build stage.',
];

/** Returns tip number n (1-based, wraps around), or a tip picked by the day of the year. */
export function tipOf(n, now = new Date()) {
  let i;
  if (Number.isInteger(n) && n > 0) {
    i = (n - 1) % tips.length;
  } else {
    const dayOfYear = Math.floor((now.getTime() - Date.UTC(now.getUTCFullYear(), 0, 0)) / 86_400_000); // 1..366
    i = (dayOfYear - 1) % tips.length;
  }
  return { id: i + 1, tip: tips[i] };
}
