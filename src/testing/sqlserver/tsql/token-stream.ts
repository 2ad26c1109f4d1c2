/** A cursor over tokens with the matching and error helpers every parser module shares. */
import { SqlError } from "../types";
import { syntaxNear } from "./lexer";
import { isReserved, type Token } from "./tokens";

export class TokenStream {
  private index = 0;

  constructor(private readonly tokens: Token[]) {}

  peek(offset = 0): Token {
    return this.tokens[Math.min(this.index + offset, this.tokens.length - 1)];
  }

  next(): Token {
    const token = this.peek();
    if (token.kind !== "eof") this.index++;
    return token;
  }

  atEnd(): boolean {
    return this.peek().kind === "eof";
  }

  /** True when the next token is the word `word` (case-insensitive). */
  isWord(word: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === "word" && token.value === word;
  }

  isSymbol(symbol: string, offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === "symbol" && token.value === symbol;
  }

  acceptWord(...words: string[]): boolean {
    if (!words.every((word, k) => this.isWord(word, k))) return false;
    this.index += words.length;
    return true;
  }

  acceptSymbol(symbol: string): boolean {
    if (!this.isSymbol(symbol)) return false;
    this.index++;
    return true;
  }

  expectWord(...words: string[]): void {
    for (const word of words) {
      if (!this.isWord(word)) throw this.unexpected();
      this.index++;
    }
  }

  expectSymbol(symbol: string): void {
    if (!this.isSymbol(symbol)) throw this.unexpected();
    this.index++;
  }

  /** One of `choices` (upper-cased words); anything else is a syntax error. */
  expectChoice<T extends string>(choices: readonly T[]): T {
    const token = this.peek();
    if (token.kind === "word" && (choices as readonly string[]).includes(token.value)) {
      this.index++;
      return token.value as T;
    }
    throw this.unexpected();
  }

  /** An identifier: bracketed/quoted, or an unquoted word that is not a reserved keyword. */
  identifier(): string {
    const token = this.peek();
    if (token.kind === "quoted" || (token.kind === "word" && !isReserved(token))) {
      this.index++;
      return token.kind === "quoted" ? token.value : token.text;
    }
    throw this.unexpected();
  }

  isIdentifier(offset = 0): boolean {
    const token = this.peek(offset);
    return token.kind === "quoted" || (token.kind === "word" && !isReserved(token));
  }

  /** a.b.c (empty parts allowed between dots, as in msdb..backupset). */
  multipartName(): string[] {
    const parts = [this.identifier()];
    while (this.isSymbol(".")) {
      this.next();
      if (this.isSymbol(".")) {
        parts.push("");
        continue;
      }
      parts.push(this.identifier());
    }
    return parts;
  }

  stringLiteral(): string {
    const token = this.peek();
    if (token.kind !== "string") throw this.unexpected();
    this.index++;
    return token.value;
  }

  integerLiteral(): number {
    const token = this.peek();
    if (token.kind !== "number" || !/^\d+$/.test(token.text)) throw this.unexpected();
    this.index++;
    return Number(token.text);
  }

  /** The syntax error SQL Server reports at the current token (at the end: the last token). */
  unexpected(token: Token = this.peek()): SqlError {
    const at = token.kind === "eof" ? (this.tokens[this.tokens.length - 2] ?? token) : token;
    const error = isReserved(at)
      ? new SqlError(156, `Incorrect syntax near the keyword '${at.text}'.`, 15)
      : syntaxNear(at.text);
    return Object.assign(error, { lineNumber: at.line });
  }
}
