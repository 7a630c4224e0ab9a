/** What a route shows: its element, and how to stop its subscriptions. */
export interface View {
  element: HTMLElement;
  destroy: () => void;
}
