// The one REST client of both faces: same origin, JSON, a bearer token kept in memory
// and sessionStorage (never in a URL, never in localStorage, no cookies), every call
// bounded by a timeout, every failure an ApiError carrying the server's reason.

import { NetworkFailure } from './reasons'

/** ErrorBody is the JSON body of every REST error (gateway/errors.go). */
export interface ErrorBody {
  error: { code: number; status: string; reason?: string; message: string; meta?: Record<string, string> }
}

export class ApiError extends Error {
  readonly httpStatus: number
  readonly status: string
  readonly reason: string
  readonly meta: Record<string, string>
  constructor(httpStatus: number, status: string, reason: string, message: string, meta: Record<string, string> = {}) {
    super(message)
    this.name = 'ApiError'
    this.httpStatus = httpStatus
    this.status = status
    this.reason = reason
    this.meta = meta
  }
}

function isErrorBody(v: unknown): v is ErrorBody {
  const e = (v as ErrorBody | null)?.error
  return typeof e === 'object' && e !== null && typeof e.message === 'string'
}

export interface ClientOptions {
  /** sessionStorage key of this face's token. */
  tokenKey: string
  /** Called when the server says the session is gone (401). */
  onUnauthenticated?: () => void
  /** Bound of one call (default 15 s). */
  timeoutMs?: number
  fetch?: typeof fetch
  storage?: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | null
}

type Query = Record<string, string | number | undefined>

export class ApiClient {
  private token: string | null = null
  private readonly opts: Required<Omit<ClientOptions, 'onUnauthenticated' | 'storage'>> & ClientOptions

  constructor(opts: ClientOptions) {
    this.opts = { timeoutMs: 15_000, fetch: globalThis.fetch.bind(globalThis), ...opts }
    this.token = this.storage()?.getItem(opts.tokenKey) ?? null
  }

  private storage() {
    if (this.opts.storage !== undefined) return this.opts.storage
    try {
      return globalThis.sessionStorage ?? null
    } catch {
      return null
    }
  }

  get loggedIn(): boolean {
    return this.token !== null
  }

  setToken(token: string | null): void {
    this.token = token
    const s = this.storage()
    if (token === null) s?.removeItem(this.opts.tokenKey)
    else s?.setItem(this.opts.tokenKey, token)
  }

  get<T>(path: string, query?: Query): Promise<T> {
    return this.call<T>('GET', path, undefined, query)
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.call<T>('POST', path, body)
  }

  put<T>(path: string, body: unknown = {}): Promise<T> {
    return this.call<T>('PUT', path, body)
  }

  /**
   * blob fetches a file (a PDF, say) with the bearer token in the Authorization
   * header, never in the URL; a failure is an ApiError as for JSON calls.
   */
  async blob(path: string): Promise<Blob> {
    const res = await this.send('GET', path, undefined, '*/*')
    if (!res.ok) return this.fail(res, await res.text())
    return res.blob()
  }

  async call<T>(method: string, path: string, body?: unknown, query?: Query): Promise<T> {
    let url = path
    if (query) {
      const q = new URLSearchParams()
      for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') q.set(k, String(v))
      const s = q.toString()
      if (s) url += '?' + s
    }
    const res = await this.send(method, url, body, 'application/json')
    const text = await res.text()
    if (!res.ok) return this.fail(res, text)
    let data: unknown = undefined
    if (text) {
      try {
        data = JSON.parse(text)
      } catch {
        data = undefined
      }
    }
    return data as T
  }

  /** send makes one bounded request; a network failure is an ApiError (NetworkFailure). */
  private async send(method: string, url: string, body: unknown, accept: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: accept }
    if (body !== undefined) headers['Content-Type'] = 'application/json'
    if (this.token) headers.Authorization = 'Bearer ' + this.token
    const ctl = new AbortController()
    const timer = setTimeout(() => ctl.abort(), this.opts.timeoutMs)
    try {
      const res = await this.opts.fetch(url, {
        method, headers, body: body === undefined ? undefined : JSON.stringify(body),
        signal: ctl.signal, credentials: 'omit', cache: 'no-store', redirect: 'error', referrerPolicy: 'no-referrer',
      })
      // The body is read under the same bound.
      const buf = [101, 204, 205, 304].includes(res.status) ? null : await res.arrayBuffer()
      return new Response(buf, { status: res.status, statusText: res.statusText, headers: res.headers })
    } catch (e) {
      throw new ApiError(0, 'UNAVAILABLE', NetworkFailure, e instanceof Error ? e.message : String(e))
    } finally {
      clearTimeout(timer)
    }
  }

  /** fail throws the ApiError of a failed answer (and ends the session on a 401). */
  private fail(res: Response, text: string): never {
    if (res.status === 401) {
      this.setToken(null)
      this.opts.onUnauthenticated?.()
    }
    let data: unknown = undefined
    try {
      data = text ? JSON.parse(text) : undefined
    } catch {
      data = undefined
    }
    if (isErrorBody(data)) {
      const e = data.error
      throw new ApiError(res.status, e.status, e.reason ?? '', e.message, e.meta ?? {})
    }
    throw new ApiError(res.status, String(res.status), '', text.slice(0, 200) || res.statusText)
  }
}

/** newRequestID is an idempotency key for a money command (works outside secure contexts too). */
export function newRequestID(prefix = 'h5'): string {
  const b = new Uint8Array(12)
  crypto.getRandomValues(b)
  return prefix + '-' + Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')
}
