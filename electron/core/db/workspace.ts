/** The workspace port, defined in platform so every area can name it; core/db implements it. */
export type { ReadDb, Row, SqlParams, Workspace, WriteTx } from '../platform/storage';
