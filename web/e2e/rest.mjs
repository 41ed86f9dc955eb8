// The REST API as the console page's staff member: the token the console keeps in
// sessionStorage, sent as a bearer token.
import { check } from './steps.mjs'

/** staffToken is the console page's session token. */
function staffToken(page) {
  return page.evaluate(() => sessionStorage.getItem('onecode.console.token'))
}

/** api calls the REST API (GET) as the page's staff member and answers the response. */
export async function api(page, sw, path) {
  const token = await staffToken(page)
  return fetch(sw.base + path, { headers: { Authorization: 'Bearer ' + token } })
}

/** rest calls the REST API with the page's staff token; the call must succeed, its JSON is the answer. */
export async function rest(page, sw, method, path, body) {
  return restAs(sw, await staffToken(page), method, path, body)
}

/** restAs calls the REST API with a bearer token (staff or parent); the call must succeed, its JSON is the answer. */
export async function restAs(sw, token, method, path, body) {
  const r = await fetch(sw.base + path, {
    method, headers: { Authorization: 'Bearer ' + token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const json = await r.json()
  check(r.ok, `${method} ${path}: ${r.status} ${JSON.stringify(json)}`)
  return json
}
