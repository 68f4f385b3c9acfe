export declare function appliedMigrations(output: string): string[];
