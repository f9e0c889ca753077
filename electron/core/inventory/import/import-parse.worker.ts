import { serveWorker } from '../../platform/worker';

import { parseIsolated, type ParseRequest } from './parse-isolated';
import type { ParsedTable } from './table';

// The executor turns a thrown AppError into a rejection, which serveWorker sends back as one.
serveWorker<ParseRequest, ParsedTable>(
  (request) => new Promise((resolve) => resolve(parseIsolated(request))),
);
