export { fromBase64url, isBase64url, toBase64url } from './base64url.ts';
export { HKDF_SALT, hkdfInfo, SEALING_SCHEME } from './batchKey.ts';
export { isRefusedCell, isSealedAlongCell, isSealedCell, sealedCellProblem, sealingHeaderProblem } from './cellShape.ts';
export { checkSensitiveCell, refusedCell, refusedCellProblem, type SensitiveCellVerdict } from './checkSensitiveCell.ts';
export { openBatchKey, openSealedPlaintexts, openSealedValues, SealedValueError } from './openSealedValues.ts';
export { EnvelopePlaintextError, envelopePlaintext, envelopeValues } from './envelopePlaintext.ts';
export { sealBatchCells, type CellToSeal, type SealedRowCells } from './sealBatchCells.ts';
export { identifierDigest, type IdentifierDigest } from './identifierDigest.ts';
