// The browser tests' steps and expectations: every wait has a deadline (Playwright's
// auto-wait with T, or waitFor's polling); no fixed sleeps.

export const T = 15_000 // the deadline of one expectation

export const steps = []
const state = { current: null } // the page of the running flow, for a screenshot on failure

export function setCurrent(page) {
  state.current = page
}

export function current() {
  return state.current
}

export async function step(name, fn) {
  const t0 = Date.now()
  process.stdout.write(`-- ${name} … `)
  await fn()
  const ms = Date.now() - t0
  steps.push([name, ms])
  console.log(`ok (${ms} ms)`)
}

export function check(cond, msg) {
  if (!cond) throw new Error(msg)
}

/** text waits until the locator's (first) element shows text containing want. */
export async function text(locator, want) {
  await locator.filter({ hasText: want }).first().waitFor({ timeout: T })
}

/** field is the input of a form field, whether the test id sits on it or on its wrapper. */
export function field(page, id) {
  return page.locator(`input[data-test="${id}"], [data-test="${id}"] input`).first()
}

/** watch collects Content-Security-Policy violations and uncaught errors of a page. */
export function watch(page, problems) {
  page.on('console', (m) => {
    const s = m.text()
    if (/Content Security Policy|Refused to/i.test(s)) problems.push(`CSP: ${s}`)
  })
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`))
}

/** menu opens a console section from the side menu and waits for its route. A click
 * that lands while the page before is still settling (lazy chunks under load) can be
 * lost, so it is retried, at most three clicks in all. */
export async function menu(page, name) {
  const url = new RegExp(`/console/${name}(?:[/?#]|$)`)
  for (let i = 1; ; i++) {
    await page.getByTestId(`menu-${name}`).click()
    try {
      await page.waitForURL(url, { timeout: 5_000 })
      return
    } catch (e) {
      if (i >= 3) throw e
    }
  }
}
