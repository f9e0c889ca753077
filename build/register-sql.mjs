// Registers the `.sql` loader hook (build/sql-loader.mjs) so Node can run the core from sources,
// as the benchmarks and the e2e fixture do. Use: node --import ./build/register-sql.mjs ...
import { register } from 'node:module';

register('./sql-loader.mjs', import.meta.url);
