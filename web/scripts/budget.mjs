// The first-load budget of issue 13: the gzipped JS and CSS a face's index.html loads
// (its scripts, stylesheets and module preloads), against the budget (parent H5
// ≤ 300 KB, console ≤ 1 MB). Run after a build: `node scripts/budget.mjs [dist-dir]`;
// exits 1 over budget. Lazy route chunks are not part of the first load.
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { gzipSync } from 'node:zlib'

const here = fileURLToPath(new URL('.', import.meta.url))
const dist = resolve(process.argv[2] || join(here, '../../gateway/webui/dist'))
export const budgets = { h5: 300 * 1024, console: 1024 * 1024 }

/** firstLoad lists the assets an index.html loads at once and their gzipped sizes. */
export function firstLoad(face) {
  const html = readFileSync(join(dist, face, 'index.html'), 'utf8')
  const refs = new Set()
  for (const m of html.matchAll(/<(?:script|link)\b[^>]*?(?:src|href)="([^"]+\.(?:js|css))"/g)) refs.add(m[1])
  return [...refs].map((ref) => {
    const file = join(dist, face, ref.replace(new RegExp(`^/${face}/`), ''))
    return { ref, gzip: gzipSync(readFileSync(file), { level: 9 }).length }
  })
}

let over = false
for (const face of Object.keys(budgets)) {
  const assets = firstLoad(face)
  const total = assets.reduce((s, a) => s + a.gzip, 0)
  const kb = (n) => (n / 1024).toFixed(1) + ' KB'
  console.log(`${face}: first load ${kb(total)} gzipped (budget ${kb(budgets[face])}), ${assets.length} files`)
  for (const a of assets) console.log(`  ${kb(a.gzip).padStart(9)}  ${a.ref}`)
  if (total > budgets[face]) over = true
}
if (over) {
  console.log('over budget')
  process.exit(1)
}
