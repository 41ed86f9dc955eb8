// Test plumbing: Debian's Chromium (installed when missing), a real `onecode serve
// --demo` on free loopback ports with a temp data dir, and waiting with deadlines
// (never fixed sleeps for synchronisation).
import { spawn, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync, createWriteStream } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

export const chromiumPath = process.env.ONECODE_CHROMIUM || '/usr/bin/chromium'
export const launchArgs = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update']

/**
 * ensureChromium answers the browser's path, installing Debian's chromium with apt-get
 * when it is missing and this is root. Without a browser: a failure under CI=true, a
 * skip (null) elsewhere.
 */
export function ensureChromium() {
  if (existsSync(chromiumPath)) return chromiumPath
  const root = typeof process.getuid === 'function' && process.getuid() === 0
  if (root) {
    console.log('== browser tests: installing chromium with apt-get')
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    let r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env })
    if (r.status !== 0) {
      spawnSync('apt-get', ['update'], { stdio: 'inherit', env })
      r = spawnSync('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { stdio: 'inherit', env })
    }
    if (existsSync(chromiumPath)) return chromiumPath
  }
  const msg = `no browser at ${chromiumPath}${root ? ' (apt-get install chromium failed)' : ' (run as root to install it, or apt-get install chromium)'}`
  if (process.env.CI === 'true') throw new Error(msg)
  console.log(`== browser tests SKIPPED: ${msg}`)
  return null
}

/** hasCjkFont reports whether fontconfig knows a font with Chinese glyphs. */
function hasCjkFont() {
  const r = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' })
  return r.status === 0 && r.stdout.trim() !== ''
}

/**
 * ensureCjkFont makes Chinese readable in the screenshots: without a CJK font Chromium
 * draws every Chinese character as a box. When none is installed and this is root it
 * installs Debian's fonts-noto-cjk (fonts-wqy-zenhei when that fails) with apt-get,
 * under scripts/services.sh's apt lock. Without one: a failure under CI=true, a
 * warning elsewhere (the flows do not depend on glyphs, only the screenshots do).
 */
export function ensureCjkFont() {
  if (hasCjkFont()) return true
  const root = typeof process.getuid === 'function' && process.getuid() === 0
  if (root) {
    const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
    const apt = (...args) => spawnSync('flock', ['-w', '900', '/var/lock/onecode-apt.lock', 'apt-get', '-o', 'DPkg::Lock::Timeout=600', ...args],
      { stdio: 'inherit', env }).status === 0
    for (const pkg of ['fonts-noto-cjk', 'fonts-wqy-zenhei']) {
      console.log(`== browser tests: installing ${pkg} with apt-get`)
      if (!apt('install', '-y', '--no-install-recommends', pkg)) apt('update') && apt('install', '-y', '--no-install-recommends', pkg)
      spawnSync('fc-cache', ['-f'], { stdio: 'ignore' })
      if (hasCjkFont()) return true
    }
  }
  const msg = `no CJK font (fc-list :lang=zh is empty)${root ? ': apt-get install fonts-noto-cjk failed' : ': apt-get install fonts-noto-cjk as root'}`
  if (process.env.CI === 'true') throw new Error(msg)
  console.log(`== browser tests: WARNING ${msg}; Chinese in the screenshots will be boxes`)
  return false
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.unref()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/** waitFor polls check until it answers a truthy value or the deadline passes. */
export async function waitFor(what, check, { timeoutMs = 30_000, everyMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs
  let last
  for (;;) {
    try {
      const v = await check()
      if (v) return v
    } catch (e) {
      last = e
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${last.message}` : ''}`)
    await new Promise((r) => setTimeout(r, everyMs))
  }
}

/**
 * startSwitch runs `onecode serve --demo` and waits until it is ready and seeded.
 * The log (stderr, JSON lines) is kept in memory for the one-time codes and in a file.
 */
export async function startSwitch({ binary, artifacts }) {
  if (!existsSync(binary)) throw new Error(`no onecode binary at ${binary} (go build -o bin/onecode ./cmd/onecode)`)
  const dir = mkdtempSync(join(tmpdir(), 'onecode-browser-'))
  const [http, grpc, sandbox, push] = [await freePort(), await freePort(), await freePort(), await freePort()]
  const config = join(dir, 'config.yaml')
  // ops.offline_after 5 s: the ops flow sees a terminal-offline alarm soon after the POS quits.
  writeFileSync(config, `aggregator:\n  sandbox_addr: 127.0.0.1:${sandbox}\n  alipay_sandbox_addr: 127.0.0.1:0\npush:\n  sandbox_addr: 127.0.0.1:${push}\nops:\n  offline_after: 5s\n`)
  mkdirSync(artifacts, { recursive: true })
  const logFile = createWriteStream(join(artifacts, 'onecode-serve.log'))
  const child = spawn(binary, [
    'serve', '--demo', '--config', config, '--data-dir', join(dir, 'data'),
    '--http-addr', `127.0.0.1:${http}`, '--grpc-addr', `127.0.0.1:${grpc}`,
  ], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ONECODE_LOG_LEVEL: 'info' } })
  const sw = {
    base: `http://127.0.0.1:${http}`, sandbox: `http://127.0.0.1:${sandbox}`, push: `http://127.0.0.1:${push}`, grpc: `127.0.0.1:${grpc}`, binary, dir, child,
    stdout: '', log: '', exited: null,
  }
  child.stdout.on('data', (b) => { sw.stdout += b; logFile.write(b) })
  child.stderr.on('data', (b) => { sw.log += b; logFile.write(b) })
  child.on('exit', (code, sig) => { sw.exited = sig ?? code })
  sw.stop = async () => {
    if (sw.exited === null) {
      child.kill('SIGTERM')
      try {
        await waitFor('onecode serve to stop', () => sw.exited !== null, { timeoutMs: 20_000 })
      } catch {
        child.kill('SIGKILL')
      }
    }
    logFile.end()
    rmSync(dir, { recursive: true, force: true })
  }
  try {
    await waitFor('onecode serve to be ready and seeded', async () => {
      if (sw.exited !== null) throw new Error(`onecode serve exited (${sw.exited}):\n${sw.log.slice(-2000)}`)
      if (!sw.stdout.includes('Stop with Ctrl-C')) return false
      const r = await fetch(sw.base + '/readyz')
      return r.ok
    }, { timeoutMs: 90_000, everyMs: 200 })
  } catch (e) {
    await sw.stop()
    throw e
  }
  return sw
}

/** smsInbox lists the SMS messages the demo's push sandbox received, oldest first. */
async function smsInbox(sw) {
  const r = await fetch(`${sw.push}/sandbox/messages?channel=sms`)
  if (!r.ok) throw new Error(`push sandbox answered ${r.status}`)
  return (await r.json()).messages ?? []
}

/** inboxCount is how many SMS messages the demo's push sandbox holds. */
export async function inboxCount(sw) {
  return (await smsInbox(sw)).length
}

/**
 * otpFor waits for the one-time code sent by SMS to phone after the first `since`
 * messages of the push sandbox's inbox (the demo wires the SMS channel to its push
 * sandbox; the log never carries a code).
 */
export function otpFor(sw, phone, since) {
  return waitFor(`the one-time code for ${phone} in the push sandbox's SMS inbox`, async () => {
    for (const m of (await smsInbox(sw)).slice(since)) {
      if (m.to === phone && m.params?.code) return m.params.code
    }
    return null
  }, { timeoutMs: 20_000 })
}

/** demoStaff reads a demo staff password from <data>/demo/staff.txt. */
export function demoStaffPassword(sw, username) {
  const txt = readFileSync(join(sw.dir, 'data', 'demo', 'staff.txt'), 'utf8')
  for (const line of txt.split('\n')) {
    const [u, , pw] = line.split('\t')
    if (u === username) return pw
  }
  throw new Error(`no demo staff ${username}`)
}

/** demoCard reads the QR text of a demo pupil's card from <data>/demo/cards.txt. */
export function demoCard(sw, studentNo) {
  const txt = readFileSync(join(sw.dir, 'data', 'demo', 'cards.txt'), 'utf8')
  for (const line of txt.split('\n')) {
    const [no, , qr] = line.split('\t')
    if (no === studentNo) return qr.trim()
  }
  throw new Error(`no demo card for ${studentNo}`)
}

/**
 * startPOS runs `onecode pos` as the demo's terminal T1 (its secret from
 * <data>/demo/terminal-T1.secret) and answers a driver: send(line) types a line,
 * expect(re) waits for an output line matching re printed after the last send.
 */
export async function startPOS(sw) {
  const secret = join(sw.dir, 'data', 'demo', 'terminal-T1.secret')
  const child = spawn(sw.binary, ['pos', '--addr', sw.grpc, '--terminal', 'T1', '--secret-file', secret,
    '--state-file', join(sw.dir, 'pos-T1.seq')], { stdio: ['pipe', 'pipe', 'pipe'] })
  const pos = { out: '', mark: 0, exited: null }
  child.stdout.on('data', (b) => { pos.out += b })
  child.stderr.on('data', (b) => { pos.out += b })
  child.on('exit', (code) => { pos.exited = code })
  pos.send = (line) => {
    pos.mark = pos.out.length
    child.stdin.write(line + '\n')
  }
  pos.expect = (re, what = String(re)) => waitFor(`the terminal to print ${what}`, () => {
    if (pos.exited !== null) throw new Error(`onecode pos exited (${pos.exited}): ${pos.out.slice(-500)}`)
    const m = re.exec(pos.out.slice(pos.mark))
    return m ? m[0] : null
  }, { timeoutMs: 15_000 })
  pos.stop = async () => {
    if (pos.exited !== null) return
    child.stdin.end('/quit\n')
    try {
      await waitFor('onecode pos to quit', () => pos.exited !== null, { timeoutMs: 5_000 })
    } catch {
      child.kill('SIGKILL')
    }
  }
  await pos.expect(/connected: terminal T1/, 'its welcome')
  return pos
}
