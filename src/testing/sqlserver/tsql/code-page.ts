/**
 * Non-Unicode text (varchar, char, '...' literals without N) under the default collation
 * SQL_Latin1_General_CP1_CI_AS is stored in code page 1252. Characters outside it are
 * replaced by Windows' "best fit" character or '?'; some best fits are quote or bracket
 * characters, which is why identifiers and literals must be built in nvarchar.
 */

/** Code page 1252 characters in 0x80-0x9F (the rest is Latin-1). */
const CP1252_EXTRA = new Set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ");

/** Best-fit replacements of note (Windows WideCharToMultiByte, code page 1252). */
const BEST_FIT: Record<string, string> = {
  "\u02b9": "'", // modifier letter prime
  "\u02bc": "'", // modifier letter apostrophe
  "\u02c8": "'", // modifier letter vertical line
  "\u2032": "'", // prime
  "\uff07": "'", // fullwidth apostrophe
  "\u02ba": '"', // modifier letter double prime
  "\u2033": '"', // double prime
  "\uff02": '"', // fullwidth quotation mark
  "\uff3b": "[", // fullwidth left square bracket
  "\uff3d": "]", // fullwidth right square bracket
  "\uff1b": ";", // fullwidth semicolon
  "\uff0d": "-", // fullwidth hyphen-minus
  "\u2010": "-",
  "\u2011": "-",
  "\u2212": "-",
};

export function toCodePage1252(text: string): string {
  let result = "";
  for (const char of text) {
    const code = char.codePointAt(0)!;
    if (code < 0x80 || (code >= 0xa0 && code <= 0xff) || CP1252_EXTRA.has(char)) result += char;
    else result += BEST_FIT[char] ?? "?";
  }
  return result;
}
