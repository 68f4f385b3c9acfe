-- Engagement events the platform's campaign engine posts (POST /api/engagement), and per member the summary a
-- push to the CRM reads (the seven campaign metrics, engaged yes/no). Members are named by members.identifier_key,
-- the key the audience dedupes on, like crm_record_links.
CREATE TABLE engagement_events (
  workspace_id TEXT NOT NULL,
  -- The sender's id: posting the same event again changes nothing.
  event_id TEXT NOT NULL,
  audience_id TEXT NOT NULL,
  member_key TEXT NOT NULL,
  campaign TEXT NOT NULL,
  sequence TEXT NOT NULL,
  step INTEGER NOT NULL,
  event TEXT NOT NULL CHECK (event IN ('open', 'click', 'reply')),
  message TEXT NOT NULL,
  at TEXT NOT NULL,
  received_at TEXT NOT NULL,
  PRIMARY KEY (workspace_id, event_id)
) WITHOUT ROWID;
-- A member's events, for recomputing its summary and for GET …/members/:memberId/engagement.
CREATE INDEX engagement_events_by_member ON engagement_events (workspace_id, audience_id, member_key, at);

-- Recomputed from the member's events after every batch that brings one (EngagementSummary as JSON).
CREATE TABLE engagement_summaries (
  workspace_id TEXT NOT NULL,
  audience_id TEXT NOT NULL,
  member_key TEXT NOT NULL,
  summary TEXT NOT NULL,
  engaged INTEGER NOT NULL,
  updated_at TEXT NOT NULL,
  PRIMARY KEY (workspace_id, audience_id, member_key)
) WITHOUT ROWID;
