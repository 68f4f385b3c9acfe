export { CELL_PROBLEM_CODES, CHECK_SLICE_ROWS, columnProblems, columnProblemSteps, type CellProblem, type CellProblemCode, type ColumnInput, type ColumnProblems, type ProblemSeverity } from './cellProblems.ts';
export { problemRows, raggedRows, sortedIndexOf, type RaggedRows, type RowProblemsInput } from './rowProblems.ts';
export * from './importRules.ts';
