/// <reference lib="webworker" />
// The parse runs here so a 100 MB file never freezes the page; the tab only appends ready-made chunks.
import type { ParseRequest } from './parseMessages.ts';
import { readCsvSource } from './readCsvSource.ts';

declare const self: DedicatedWorkerGlobalScope;

self.onmessage = (event: MessageEvent<ParseRequest>) => {
  const { file, ...options } = event.data;
  void readCsvSource(file, options, (message, transfer) => self.postMessage(message, transfer));
};
