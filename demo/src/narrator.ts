// The demo's voice: numbered steps, what is happening, and what to look at (commands and URLs to try).
export interface NarratorOptions {
  write: (text: string) => void;
  /** ANSI colours (a terminal) or plain text (a log, a test). */
  color: boolean;
  totalSteps: number;
}

export class Narrator {
  private step = 0;

  constructor(private readonly options: NarratorOptions) {}

  private paint(code: string, text: string): string {
    return this.options.color ? `\x1b[${code}m${text}\x1b[0m` : text;
  }

  begin(title: string): void {
    this.step += 1;
    this.options.write(`\n${this.paint('1', `[${this.step}/${this.options.totalSteps}] ${title}`)}\n`);
  }

  say(text: string): void {
    for (const line of text.split('\n')) this.options.write(`      ${line}\n`);
  }

  /** Progress of a long wait (the one-time control-plane build, start-up). */
  progress(text: string): void {
    this.options.write(`      ${this.paint('2', text)}\n`);
  }

  /** A command or URL the reader can try now. */
  look(what: string): void {
    this.options.write(`      ${this.paint('36', '$')} ${what}\n`);
  }

  done(text: string): void {
    this.options.write(`      ${this.paint('32', 'ok')} ${text}\n`);
  }

  warn(text: string): void {
    this.options.write(`      ${this.paint('33', '!!')} ${text}\n`);
  }

  plain(text: string): void {
    this.options.write(`${text}\n`);
  }
}
