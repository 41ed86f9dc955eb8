// The proof a parent gives to bind a child (issue 10, defect 2).
/**
 * proofField sends the binding proof as the API wants it: a mainland resident ID number
 * (18 characters, or the old 15 digits) as idNumber, anything else as the school's
 * one-time bindCode (XXXXX-XXXXX; case, spaces and hyphens do not matter).
 */
export function proofField(proof: string): { idNumber?: string; bindCode?: string } {
  const p = proof.replace(/[\s-]/g, '')
  if (p === '') return {}
  return /^(\d{17}[\dXx]|\d{15})$/.test(p) ? { idNumber: p } : { bindCode: p }
}
