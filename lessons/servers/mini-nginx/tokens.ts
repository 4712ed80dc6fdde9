// mini-nginx's configuration syntax, the part of nginx's it reads: words separated by blanks, ';' ending a
// directive, '{' '}' around a block, '#' to the end of the line a comment, "..." and '...' quoting (with \" \'
// \\ \n \t \r escapes). Like nginx, the tokenizer knows nothing of directives; it yields the statements the
// parser (conf.ts) checks, each with its line for the error message.

export class ConfError extends Error {}

/** One directive: its words (the name first) and, for a block, the statements inside. */
export interface Statement {
  words: string[];
  line: number;
  block?: Statement[];
}

interface Token {
  text: string;
  /** ';', '{' or '}' when the token is that delimiter; quoted strings never are. */
  delimiter?: ';' | '{' | '}';
  line: number;
}

function* tokens(source: string, file: string): Generator<Token> {
  let i = 0;
  let line = 1;
  const at = () => `${file}:${line}`;
  while (i < source.length) {
    const c = source[i];
    if (c === '\n') line++;
    if (c === ' ' || c === '\t' || c === '\r' || c === '\n') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < source.length && source[i] !== '\n') i++;
      continue;
    }
    if (c === ';' || c === '{' || c === '}') {
      yield { text: c, delimiter: c, line };
      i++;
      continue;
    }
    const startLine = line;
    let text = '';
    if (c === '"' || c === "'") {
      i++;
      for (;;) {
        if (i >= source.length) throw new ConfError(`unexpected end of file, expecting ";" or "}" in ${at()}`);
        const d = source[i];
        if (d === c) break;
        if (d === '\n') line++;
        if (d === '\\' && i + 1 < source.length) {
          const next = source[i + 1];
          text += next === 'n' ? '\n' : next === 't' ? '\t' : next === 'r' ? '\r' : next === c || next === '\\' ? next : `\\${next}`;
          i += 2;
          continue;
        }
        text += d;
        i++;
      }
      i++;
      // nginx wants a blank or a delimiter after a closing quote, as in `return 200 "a"b;` being an error.
      const after = source[i];
      if (after !== undefined && !' \t\r\n;{}'.includes(after)) throw new ConfError(`unexpected "${after}" in ${at()}`);
      yield { text, line: startLine };
      continue;
    }
    while (i < source.length && !' \t\r\n;{}'.includes(source[i])) text += source[i++];
    yield { text, line: startLine };
  }
}

/** The statements of a whole file; throws ConfError with nginx's wording for a broken structure. */
export function parseStatements(source: string, file: string): Statement[] {
  const top: Statement[] = [];
  const stack: Statement[][] = [top];
  let words: string[] = [];
  let wordsLine = 0;
  let lastLine = 1;
  for (const token of tokens(source, file)) {
    lastLine = token.line;
    const current = stack[stack.length - 1];
    if (token.delimiter === ';') {
      if (words.length === 0) throw new ConfError(`unexpected ";" in ${file}:${token.line}`);
      current.push({ words, line: wordsLine });
      words = [];
    } else if (token.delimiter === '{') {
      if (words.length === 0) throw new ConfError(`unexpected "{" in ${file}:${token.line}`);
      const statement: Statement = { words, line: wordsLine, block: [] };
      current.push(statement);
      stack.push(statement.block!);
      words = [];
    } else if (token.delimiter === '}') {
      if (words.length > 0) throw new ConfError(`unexpected "}" in ${file}:${token.line}`);
      if (stack.length === 1) throw new ConfError(`unexpected "}" in ${file}:${token.line}`);
      stack.pop();
    } else {
      if (words.length === 0) wordsLine = token.line;
      words.push(token.text);
    }
  }
  const endLine = source.endsWith('\n') ? source.split('\n').length : lastLine;
  if (words.length > 0) throw new ConfError(`unexpected end of file, expecting ";" or "}" in ${file}:${endLine}`);
  if (stack.length > 1) throw new ConfError(`unexpected end of file, expecting "}" in ${file}:${endLine}`);
  return top;
}
