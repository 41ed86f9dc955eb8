import { describe, expect, it } from 'vitest'
import { ApiClient, ApiError } from './api'
import { NetworkFailure } from './reasons'

function client(answer: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const calls: { url: string; init: RequestInit }[] = []
  const c = new ApiClient({
    tokenKey: 't', storage: null,
    fetch: (async (url: string, init: RequestInit) => {
      calls.push({ url, init })
      return answer(url, init)
    }) as unknown as typeof fetch,
  })
  return { c, calls }
}

describe('ApiClient', () => {
  it('sends the token in the header, never in the URL', async () => {
    const { c, calls } = client(() => new Response('{"ok":true}', { status: 200 }))
    c.setToken('secret-token')
    expect(await c.get('/v1/x', { a: '1', b: '' })).toEqual({ ok: true })
    expect(calls[0].url).toBe('/v1/x?a=1')
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBe('Bearer secret-token')
  })
  it('answers a blob with the token in the header', async () => {
    const { c, calls } = client(() => new Response(new Uint8Array([37, 80, 68, 70]), { status: 200, headers: { 'Content-Type': 'application/pdf' } }))
    c.setToken('tok')
    const b = await c.blob('/v1/staff/classes/3-1/sheet.pdf')
    expect(new Uint8Array(await b.arrayBuffer())).toEqual(new Uint8Array([37, 80, 68, 70]))
    expect(calls[0].url).not.toContain('tok')
    expect((calls[0].init.headers as Record<string, string>).Authorization).toBe('Bearer tok')
  })
  it('turns an error body into an ApiError with its reason', async () => {
    const body = { error: { code: 5, status: 'NOT_FOUND', reason: 'NOT_FOUND', message: 'no such class' } }
    const { c } = client(() => new Response(JSON.stringify(body), { status: 404 }))
    const err = await c.blob('/v1/staff/classes/x/sheet.pdf').catch((e) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect([err.httpStatus, err.reason, err.message]).toEqual([404, 'NOT_FOUND', 'no such class'])
  })
  it('a network failure is NETWORK', async () => {
    const { c } = client(() => { throw new TypeError('failed to fetch') })
    const err = (await c.post('/v1/x').catch((e: unknown) => e)) as ApiError
    expect(err.reason).toBe(NetworkFailure)
  })
  it('a 204 has no body', async () => {
    const { c } = client(() => new Response(null, { status: 204 }))
    expect(await c.post('/v1/x')).toBeUndefined()
  })
})
