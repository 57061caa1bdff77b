/**
 * The persistent reservation types of SPC-4 6.16.3 (TYPE field of PERSISTENT
 * RESERVE OUT), and the two properties that decide who holds one and who may
 * access the medium under it.
 */

export const enum PrType {
  WriteExclusive = 0x1,
  ExclusiveAccess = 0x3,
  WriteExclusiveRegistrantsOnly = 0x5,
  ExclusiveAccessRegistrantsOnly = 0x6,
  WriteExclusiveAllRegistrants = 0x7,
  ExclusiveAccessAllRegistrants = 0x8,
}

/** The only scope SPC-4 still defines (LU_SCOPE). */
export const LU_SCOPE = 0;

export function isValidPrType(type: number): type is PrType {
  return type === 0x1 || type === 0x3 || (type >= 0x5 && type <= 0x8);
}

/** ALL REGISTRANTS types: every registered I_T nexus is a reservation holder. */
export function isAllRegistrants(type: PrType): boolean {
  return type === PrType.WriteExclusiveAllRegistrants || type === PrType.ExclusiveAccessAllRegistrants;
}

/** REGISTRANTS ONLY and ALL REGISTRANTS types: registered I_T nexuses get access. */
export function admitsRegistrants(type: PrType): boolean {
  return type >= PrType.WriteExclusiveRegistrantsOnly;
}

/** EXCLUSIVE ACCESS types: reads conflict as well as writes for those without access. */
export function isExclusiveAccess(type: PrType): boolean {
  return type === PrType.ExclusiveAccess || type === PrType.ExclusiveAccessRegistrantsOnly || type === PrType.ExclusiveAccessAllRegistrants;
}

