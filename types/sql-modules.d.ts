/** Migration files are bundled as text by the build (esbuild loader, Vite plugin). */
declare module '*.sql' {
  const sql: string;
  export default sql;
}
