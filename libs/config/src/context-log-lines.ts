import { Logger } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Logger as Pino } from 'pino';

/**
 * INFO lines of one Nest context written straight to a child of the root
 * pino logger (`{context}` bound once): the JSON line Nest's `Logger` with
 * that context writes through nestjs-pino, key for key, without its layers
 * (Nest's logger, nestjs-pino's, its context merge per line). For the
 * lines written per task. Before the logger module made its root logger
 * (unit tests), Nest's `Logger` writes them.
 */
export class ContextLogLines {
  private readonly nest: Logger;
  private root?: Pino;
  private child?: Pino;

  constructor(private readonly context: string) {
    this.nest = new Logger(context);
  }

  info(fields: Record<string, unknown>): void {
    const root = PinoLogger.root as Pino | undefined;
    if (!root) {
      this.nest.log(fields);
      return;
    }
    let child = this.child;
    // A new root (another app in the process) or level: a new child.
    if (root !== this.root || child?.level !== root.level) {
      child = root.child({ context: this.context });
      this.root = root;
      this.child = child;
    }
    child.info(fields);
  }
}
