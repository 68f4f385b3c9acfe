-- A merge of existing members is written by the Worker from what it read (packed columns cannot be json_patch'ed in
-- SQL): the UPDATE applies only to members whose write stamp is unchanged, and a statement right after it inserts
-- NULL here when it changed fewer rows than it was given, so the NOT NULL aborts the batch's transaction and the
-- batch is classified again on fresh state (worker/store/members.ts changedRowsGuardStatement). Never holds a row.
CREATE TABLE member_write_guards (unchanged_since_read INTEGER NOT NULL);
