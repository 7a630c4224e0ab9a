/**
 * Celery protocol v2 as it travels on the wire (celery-protocol.md §B).
 * Field names stay exactly as Celery writes them.
 */

/** JSON value as kombu's JSON serializer produces it. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A signature dict (§B.5), as found in `embed.chain`, `embed.chord`, callbacks and errbacks. */
export interface SignatureDict {
  task: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  options: SignatureOptions;
  subtask_type: string | null;
  immutable: boolean;
  /** Present on chain / group / chord signatures only. */
  chord_size?: number | null;
}

/** Options of a frozen signature (§B.5). Unknown keys are kept and passed on. */
export interface SignatureOptions {
  task_id?: string;
  reply_to?: string;
  root_id?: string | null;
  parent_id?: string | null;
  group_id?: string | null;
  group_index?: number | null;
  queue?: string;
  priority?: number;
  countdown?: number;
  eta?: string;
  expires?: string | number;
  time_limit?: number | null;
  soft_time_limit?: number | null;
  chord?: SignatureDict;
  link?: SignatureDict | SignatureDict[];
  link_error?: SignatureDict | SignatureDict[];
  [key: string]: unknown;
}

/** The third element of the body (§B.3). */
export interface MessageEmbed {
  callbacks: SignatureDict[] | null;
  errbacks: SignatureDict[] | null;
  chain: SignatureDict[] | null;
  chord: SignatureDict | null;
}

/** Protocol v2 headers (§B.2), in the key set Celery 5.2 writes. */
export interface TaskHeaders {
  lang: string;
  task: string;
  id: string;
  shadow: string | null;
  eta: string | null;
  expires: string | null;
  group: string | null;
  group_index: number | null;
  retries: number;
  /** Order is [hard, soft] (§B.2). */
  timelimit: [number | null, number | null];
  root_id: string;
  parent_id: string | null;
  argsrepr: string;
  kwargsrepr: string;
  origin: string;
  ignore_result: boolean;
  /** Keys a newer Celery adds (stamps, replaced_task_nesting, ...) are kept as they came. */
  [extra: string]: unknown;
}

/** AMQP basic properties of a task message (§B.1), named as amqplib names them. */
export interface TaskProperties {
  contentType: string;
  contentEncoding: string;
  correlationId: string;
  replyTo: string;
  deliveryMode: number;
  /** Celery's client sends 0; a worker's chain continuation sends none. */
  priority?: number;
  expiration?: string;
}

/** One task message, decoded: what a worker runs and what a client publishes. */
export interface TaskMessage {
  headers: TaskHeaders;
  properties: TaskProperties;
  args: unknown[];
  kwargs: Record<string, unknown>;
  embed: MessageEmbed;
}

/** Where a delivered message came from (amqplib's `fields`). */
export interface DeliveryInfo {
  exchange: string;
  routingKey: string;
  redelivered: boolean;
  deliveryTag: number;
}
