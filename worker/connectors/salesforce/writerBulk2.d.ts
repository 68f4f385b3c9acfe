// jsforce 3.10 ships Bulk API 2.0 in its builds but no package entry for it alone: the writer imports the browser
// build's module (the build workerd runs, like jsforce/core) and takes its types from the Node build's declarations.
declare module 'jsforce/browser/api/bulk2.js' {
  export { BulkV2, IngestJobV2 } from 'jsforce/lib/api/bulk2';
}
