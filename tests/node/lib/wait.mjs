// Waiting in tests: every wait has a bound and says what it waited for when it runs out.
export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Resolves once `predicate()` (which may be async) is true; throws after `timeoutMs`. */
export async function until(predicate, what, timeoutMs = 8000) {
  const started = Date.now();
  while (!(await predicate())) {
    if (Date.now() - started > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}
