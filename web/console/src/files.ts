// Files in and out of the console: an upload read as base64 (the API takes bytes as
// base64 in JSON), a download saved from a Blob fetched with the Authorization header
// (the token never goes in a URL).

/** fileFormat names the import format of a file by its name, or null. */
export function fileFormat(name: string): 'csv' | 'xlsx' | null {
  const n = name.toLowerCase()
  if (n.endsWith('.xlsx')) return 'xlsx'
  if (n.endsWith('.csv') || n.endsWith('.txt')) return 'csv'
  return null
}

/** base64 encodes bytes, in chunks (no stack overflow on megabytes). */
export function base64(bytes: Uint8Array): string {
  let bin = ''
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000))
  return btoa(bin)
}

/** saveBlob offers a blob as a download named name. */
export function saveBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob)
  const a = document.createElement('a')
  a.href = url
  a.download = name
  a.rel = 'noopener'
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 60_000)
}

/** copyText puts text on the clipboard; false when the browser refused. */
export async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text)
    return true
  } catch {
    return false
  }
}
