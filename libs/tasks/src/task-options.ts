/** How a task is declared (`@Task({...})`). */
export interface TaskOptions {
  /** The Celery task name, as Python clients send it: `add_task`. */
  name: string;
  /**
   * Names of the positional parameters, so a message's kwargs bind to
   * positions (`send_task('add_task', kwargs={'a': 1, 'b': 2})`) and a wrong
   * argument count is caught before the task runs.
   */
  params: string[];
  /** The queue it is sent to unless the caller names one. */
  queue?: string;
  /** One line for the registry listing and the docs. */
  description?: string;
}
