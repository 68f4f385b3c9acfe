import { Metadata } from 'libphonenumber-js/core';
import metadataJson from 'libphonenumber-js/min/metadata';

/*
 * libphonenumber-js's own validity rules, with each pattern compiled once. The library builds
 * `new RegExp('^(?:' + pattern + ')$')` from its metadata on every check (helpers/matchesEntirely.js) and checks a
 * number's types twice (once to find its country, once in isValid), so one US number cost ~9 µs, most of it
 * re-hashing kilobyte-long pattern strings. The logic below mirrors, step by step, getNumberType,
 * isValidNumber, getCountryByNationalNumber and extractCountryCallingCode of the installed version, reading the
 * same metadata through the library's Metadata class; phoneValidity.test.ts compares it with the library on
 * numbers of every calling code.
 */

// getNumberType returns a type when FIXED_LINE or any of these matches (order does not matter for validity).
const NUMBER_TYPES = ['FIXED_LINE', 'MOBILE', 'PREMIUM_RATE', 'TOLL_FREE', 'SHARED_COST', 'VOIP', 'PERSONAL_NUMBER', 'PAGER', 'UAN', 'VOICEMAIL'];
// constants.js of the library.
const MIN_LENGTH_FOR_NSN = 2;
const MAX_LENGTH_FOR_NSN = 17;
const MAX_LENGTH_COUNTRY_CODE = 3;

type TypeRule = { pattern: RegExp; lengths: readonly number[] | undefined };
type PlanRules = {
  nationalNumber: RegExp;
  /** null when the plan has no types: then the national number pattern alone decides (isValidNumber). */
  types: TypeRule[] | null;
  /** Anchored at the start, as `nationalNumber.search(leadingDigits) === 0` is. */
  leadingDigits: RegExp | null;
  nationalPrefixForParsing: RegExp | null;
};

// The parts of the library's Metadata class used here (its typings declare only a few public methods).
type TypeDefinition = { pattern(): string; possibleLengths(): number[] | undefined };
type MetadataInternals = {
  selectNumberingPlan(countryOrCallingCode: string): void;
  hasCallingCode(callingCode: string): boolean;
  isNonGeographicCallingCode(callingCode: string): boolean;
  getCountryCodesForCallingCode(callingCode: string): string[] | undefined;
  nationalNumberPattern(): string;
  leadingDigits(): string | undefined;
  hasTypes(): boolean;
  type(type: string): TypeDefinition | undefined;
  numberingPlan: { nationalPrefixForParsing(): string | undefined };
};

const metadata = new Metadata(metadataJson) as unknown as MetadataInternals;
const rulesByPlan = new Map<string, PlanRules>();

const entire = (pattern: string) => new RegExp(`^(?:${pattern})$`);

/** Rules of a country ("US") or of a calling code's main country / non-geographic plan ("1", "800"). */
function rulesOf(countryOrCallingCode: string): PlanRules {
  let rules = rulesByPlan.get(countryOrCallingCode);
  if (rules) return rules;
  metadata.selectNumberingPlan(countryOrCallingCode);
  const types: TypeRule[] = [];
  for (const name of NUMBER_TYPES) {
    const definition = metadata.type(name);
    if (definition && definition.pattern()) types.push({ pattern: entire(definition.pattern()), lengths: definition.possibleLengths() });
  }
  const leadingDigits = metadata.leadingDigits();
  const prefix = metadata.numberingPlan.nationalPrefixForParsing();
  rules = {
    nationalNumber: entire(metadata.nationalNumberPattern()),
    types: metadata.hasTypes() ? types : null,
    leadingDigits: leadingDigits ? new RegExp(`^(?:${leadingDigits})`) : null,
    nationalPrefixForParsing: prefix ? new RegExp(`^(?:${prefix})`) : null,
  };
  rulesByPlan.set(countryOrCallingCode, rules);
  return rules;
}

/** getNumberType(…) !== undefined. */
function hasNumberType(nationalNumber: string, rules: PlanRules): boolean {
  if (!rules.nationalNumber.test(nationalNumber)) return false;
  for (const type of rules.types ?? []) {
    if (type.lengths && !type.lengths.includes(nationalNumber.length)) continue;
    if (type.pattern.test(nationalNumber)) return true;
  }
  return false;
}

/** PhoneNumber#isValid() for a parsed number: `country` when the parse found one, else its calling code. */
export function isValidNationalNumber(countryOrCallingCode: string, nationalNumber: string): boolean {
  const rules = rulesOf(countryOrCallingCode);
  return rules.types ? hasNumberType(nationalNumber, rules) : rules.nationalNumber.test(nationalNumber);
}

/**
 * getCountryByCallingCode: the country among those sharing a calling code that this national number belongs to.
 * `byType`: found because the number has one of the country's types — exactly what isValidNationalNumber would
 * check next for that country, so the caller need not match the same patterns again (for +1 the US types,
 * the largest patterns of all, were matched twice a number).
 */
function countryOf(callingCode: string, nationalNumber: string): { country: string | undefined; byType: boolean } {
  const countries = metadata.getCountryCodesForCallingCode(callingCode);
  if (!countries) return { country: undefined, byType: false };
  if (countries.length === 1) return { country: countries[0], byType: false };
  for (const country of countries) {
    const rules = rulesOf(country);
    if (rules.leadingDigits) {
      if (rules.leadingDigits.test(nationalNumber)) return { country, byType: false };
    } else if (rules.types && hasNumberType(nationalNumber, rules)) {
      return { country, byType: true };
    }
  }
  return { country: undefined, byType: false };
}

// "+" then digits, optionally grouped by ASCII spaces, hyphens, dots or parentheses ("+1 (415) 555-2671"). For
// such text the library's extraction, viability and extension checks all keep the text whole, and
// parseIncompletePhoneNumber keeps only the "+" and the digits.
const INTERNATIONAL = /^\+[\d ().-]+$/;
const SEPARATORS = /[ ().-]/g;
const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * The answer of `parsePhoneNumberFromString(text, …)?.isValid() ? .number : null` for a number written with its
 * calling code ("+14155552671", "+44 7911 123456", the forms CRMs export): the E.164 number when valid, null when
 * not, undefined when the text is outside what this shortcut reproduces (national numbers, other characters, a
 * national prefix after the calling code, a non-geographic calling code, fewer than 7 or more than 15 digits) and
 * the library must decide. The default country plays no part once the number carries its calling code.
 */
export function validInternationalNumber(text: string): string | null | undefined {
  if (!INTERNATIONAL.test(text)) return undefined;
  const e164 = text.replace(SEPARATORS, '');
  if (!E164.test(e164)) return undefined;
  let callingCode: string | undefined;
  for (let i = 2; i - 1 <= MAX_LENGTH_COUNTRY_CODE && i <= e164.length; i++) {
    if (metadata.hasCallingCode(e164.slice(1, i))) {
      callingCode = e164.slice(1, i);
      break;
    }
  }
  if (!callingCode || metadata.isNonGeographicCallingCode(callingCode)) return undefined;
  const nationalNumber = e164.slice(1 + callingCode.length);
  if (nationalNumber.length < MIN_LENGTH_FOR_NSN || nationalNumber.length > MAX_LENGTH_FOR_NSN) return undefined;
  if (rulesOf(callingCode).nationalPrefixForParsing?.test(nationalNumber)) return undefined;
  const { country, byType } = countryOf(callingCode, nationalNumber);
  if (byType) return e164;
  return isValidNationalNumber(country ?? callingCode, nationalNumber) ? e164 : null;
}
