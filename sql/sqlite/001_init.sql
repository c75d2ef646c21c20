-- kolwatch schema, version 1 (SQLite). The same tables as
-- sql/postgres/001_init.sql; times are RFC 3339 UTC text, money integer
-- minor units beside an ISO 4217 code.

CREATE TABLE brands (
    id            INTEGER PRIMARY KEY,
    name          TEXT NOT NULL UNIQUE,
    query         TEXT NOT NULL,
    competitor_of INTEGER REFERENCES brands(id) ON DELETE SET NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);

CREATE TABLE brand_aliases (
    brand_id INTEGER NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
    alias    TEXT NOT NULL,
    PRIMARY KEY (brand_id, alias)
);

CREATE TABLE sources (
    id                   INTEGER PRIMARY KEY,
    kind                 TEXT NOT NULL CHECK (kind IN ('feed', 'html', 'json')),
    url                  TEXT NOT NULL,
    platform             TEXT NOT NULL DEFAULT 'other',
    rules                TEXT NOT NULL DEFAULT '{}',
    every_s              INTEGER NOT NULL DEFAULT 900,
    enabled              INTEGER NOT NULL DEFAULT 1,
    etag                 TEXT,
    last_modified        TEXT,
    last_status          INTEGER,
    last_error           TEXT,
    last_fetched_at      TEXT,
    consecutive_failures INTEGER NOT NULL DEFAULT 0,
    next_attempt_at      TEXT,
    lease_owner          TEXT,
    lease_until          TEXT,
    created_at           TEXT NOT NULL
);

CREATE INDEX sources_url ON sources (url);
CREATE INDEX sources_due ON sources (enabled, next_attempt_at);

CREATE TABLE fetches (
    id           INTEGER PRIMARY KEY,
    source_id    INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    url          TEXT NOT NULL,
    http_status  INTEGER,
    bytes        INTEGER,
    items        INTEGER,
    new_mentions INTEGER,
    error        TEXT
);
CREATE INDEX fetches_source ON fetches (source_id, started_at);

CREATE TABLE partners (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    type       TEXT NOT NULL CHECK (type IN ('kol', 'koc')),
    agency     TEXT,
    contact    TEXT,
    status     TEXT NOT NULL DEFAULT 'prospect'
               CHECK (status IN ('prospect', 'active', 'paused', 'blocked')),
    notes      TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE partner_tags (
    partner_id INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    tag        TEXT NOT NULL,
    PRIMARY KEY (partner_id, tag)
);

CREATE TABLE accounts (
    id              INTEGER PRIMARY KEY,
    partner_id      INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    platform        TEXT NOT NULL,
    handle          TEXT NOT NULL,
    url             TEXT,
    followers       INTEGER,
    avg_views       INTEGER,
    engagement_rate REAL,
    updated_at      TEXT NOT NULL,
    UNIQUE (platform, handle)
);

-- mentions are linked to partners by their author: platform and handle, any case
CREATE INDEX accounts_handle ON accounts (platform, LOWER(handle));

CREATE TABLE account_followers (
    id          INTEGER PRIMARY KEY,
    account_id  INTEGER NOT NULL REFERENCES accounts(id) ON DELETE CASCADE,
    recorded_at TEXT NOT NULL,
    followers   INTEGER NOT NULL
);
CREATE INDEX account_followers_account ON account_followers (account_id, recorded_at);

CREATE TABLE mentions (
    id            INTEGER PRIMARY KEY,
    url           TEXT NOT NULL,
    canonical_url TEXT NOT NULL UNIQUE,
    content_hash  TEXT,
    sim_b0        INTEGER,
    sim_b1        INTEGER,
    sim_b2        INTEGER,
    sim_b3        INTEGER,
    repost_of     INTEGER REFERENCES mentions(id) ON DELETE SET NULL,
    source_id     INTEGER REFERENCES sources(id) ON DELETE SET NULL,
    partner_id    INTEGER REFERENCES partners(id) ON DELETE SET NULL,
    platform      TEXT NOT NULL DEFAULT 'other',
    author        TEXT,
    title         TEXT,
    text          TEXT NOT NULL,
    lang          TEXT,
    published_at  TEXT,
    fetched_at    TEXT NOT NULL,
    likes         INTEGER,
    comments      INTEGER,
    shares        INTEGER,
    views         INTEGER,
    reach         INTEGER,
    score         REAL,
    pos           REAL,
    neg           REAL,
    neu           REAL,
    label         TEXT CHECK (label IN ('positive', 'negative', 'neutral')),
    explanation   TEXT,
    scored_at     TEXT
);
CREATE INDEX mentions_content_hash ON mentions (content_hash);
-- near-duplicate lookup: four MinHash values of the text (kw_text_signature);
-- a near copy shares at least one, and three of four to count as a copy
CREATE INDEX mentions_sim_b0 ON mentions (sim_b0) WHERE sim_b0 IS NOT NULL;
CREATE INDEX mentions_sim_b1 ON mentions (sim_b1) WHERE sim_b1 IS NOT NULL;
CREATE INDEX mentions_sim_b2 ON mentions (sim_b2) WHERE sim_b2 IS NOT NULL;
CREATE INDEX mentions_sim_b3 ON mentions (sim_b3) WHERE sim_b3 IS NOT NULL;
CREATE INDEX mentions_published ON mentions (published_at);

CREATE TABLE mention_brands (
    mention_id INTEGER NOT NULL REFERENCES mentions(id) ON DELETE CASCADE,
    brand_id   INTEGER NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
    linked_at  TEXT NOT NULL,
    PRIMARY KEY (mention_id, brand_id)
);
CREATE INDEX mention_brands_brand ON mention_brands (brand_id, mention_id);

-- 5-minute counts per (brand, platform), kept by the store in the same
-- transaction as every mention write; keyed by published_at, else fetched_at.
CREATE TABLE buckets (
    brand_id     INTEGER NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
    platform     TEXT NOT NULL,
    bucket_start TEXT NOT NULL,
    n_all        INTEGER NOT NULL DEFAULT 0,
    n_pos        INTEGER NOT NULL DEFAULT 0,
    n_neg        INTEGER NOT NULL DEFAULT 0,
    n_neu        INTEGER NOT NULL DEFAULT 0,
    reach        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (brand_id, platform, bucket_start)
);

CREATE TABLE alerts (
    id              INTEGER PRIMARY KEY,
    brand_id        INTEGER NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL DEFAULT 'negative_spike',
    severity        TEXT NOT NULL CHECK (severity IN ('info', 'warning', 'critical')),
    state           TEXT NOT NULL DEFAULT 'open'
                    CHECK (state IN ('open', 'acknowledged', 'resolved')),
    resolution      TEXT CHECK (resolution IN ('resolved', 'false_alarm')),
    opened_at       TEXT NOT NULL,
    window_start    TEXT NOT NULL,
    window_end      TEXT NOT NULL,
    observed        REAL,
    expected        REAL,
    score           REAL,
    evidence        TEXT NOT NULL DEFAULT '{}',
    acknowledged_by TEXT,
    acknowledged_at TEXT,
    resolved_at     TEXT
);
CREATE INDEX alerts_brand_state ON alerts (brand_id, state);

CREATE TABLE alert_events (
    id       INTEGER PRIMARY KEY,
    alert_id INTEGER NOT NULL REFERENCES alerts(id) ON DELETE CASCADE,
    at       TEXT NOT NULL,
    actor    TEXT NOT NULL,
    event    TEXT NOT NULL,
    detail   TEXT
);

CREATE TABLE silences (
    id         INTEGER PRIMARY KEY,
    brand_id   INTEGER REFERENCES brands(id) ON DELETE CASCADE,
    starts_at  TEXT NOT NULL,
    ends_at    TEXT NOT NULL,
    reason     TEXT,
    created_by TEXT NOT NULL
);

CREATE TABLE channels (
    id           INTEGER PRIMARY KEY,
    name         TEXT,
    kind         TEXT NOT NULL
                 CHECK (kind IN ('webhook', 'slack', 'wecom', 'dingtalk', 'feishu', 'email')),
    target       TEXT NOT NULL,
    secret       TEXT,
    min_severity TEXT NOT NULL DEFAULT 'warning'
                 CHECK (min_severity IN ('info', 'warning', 'critical')),
    enabled      INTEGER NOT NULL DEFAULT 1,
    created_at   TEXT NOT NULL
);

CREATE TABLE channel_brands (
    channel_id INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    brand_id   INTEGER NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
    PRIMARY KEY (channel_id, brand_id)
);

-- Notifications are written here in the transaction that opens or changes
-- an alert, and delivered afterwards: a crash between the two loses nothing.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    alert_id        INTEGER REFERENCES alerts(id) ON DELETE CASCADE,
    channel_id      INTEGER NOT NULL REFERENCES channels(id) ON DELETE CASCADE,
    event_id        TEXT NOT NULL UNIQUE,
    payload         TEXT NOT NULL,
    state           TEXT NOT NULL DEFAULT 'pending'
                    CHECK (state IN ('pending', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    created_at      TEXT NOT NULL,
    delivered_at    TEXT
);
CREATE INDEX outbox_due ON outbox (state, next_attempt_at);

CREATE TABLE quotes (
    id               INTEGER PRIMARY KEY,
    partner_id       INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    account_id       INTEGER REFERENCES accounts(id) ON DELETE SET NULL,
    platform         TEXT NOT NULL,
    deliverable      TEXT NOT NULL,
    currency         TEXT NOT NULL DEFAULT 'CNY',
    list_price       INTEGER NOT NULL,
    net_price        INTEGER,
    mode             TEXT NOT NULL DEFAULT 'fee'
                     CHECK (mode IN ('fee', 'barter', 'commission', 'hybrid')),
    product_value    INTEGER,
    shipping         INTEGER,
    commission_rate  REAL,
    bonus            INTEGER,
    bonus_threshold  INTEGER,
    usage_rights     TEXT,
    exclusivity      TEXT,
    valid_from       TEXT,
    valid_until      TEXT,
    quoted_at        TEXT NOT NULL
);
CREATE INDEX quotes_partner ON quotes (partner_id, quoted_at);

CREATE TABLE campaigns (
    id         INTEGER PRIMARY KEY,
    brand_id   INTEGER NOT NULL REFERENCES brands(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    objective  TEXT NOT NULL CHECK (objective IN ('reach', 'engagement', 'conversions')),
    budget     INTEGER NOT NULL,
    currency   TEXT NOT NULL DEFAULT 'CNY',
    start_date TEXT,
    end_date   TEXT,
    created_at TEXT NOT NULL
);

CREATE TABLE deliverables (
    id                   INTEGER PRIMARY KEY,
    campaign_id          INTEGER NOT NULL REFERENCES campaigns(id) ON DELETE CASCADE,
    quote_id             INTEGER REFERENCES quotes(id) ON DELETE SET NULL,
    partner_id           INTEGER NOT NULL REFERENCES partners(id) ON DELETE CASCADE,
    platform             TEXT NOT NULL,
    deliverable          TEXT NOT NULL,
    state                TEXT NOT NULL DEFAULT 'candidate'
                         CHECK (state IN ('candidate', 'planned', 'contracted', 'published', 'paid')),
    currency             TEXT NOT NULL DEFAULT 'CNY',
    mode                 TEXT NOT NULL DEFAULT 'fee'
                         CHECK (mode IN ('fee', 'barter', 'commission', 'hybrid')),
    agreed_price         INTEGER,
    product_value        INTEGER,
    shipping             INTEGER,
    commission_rate      REAL,
    bonus                INTEGER,
    bonus_threshold      INTEGER,
    expected_reach       INTEGER,
    expected_engagements INTEGER,
    expected_conversions INTEGER,
    expected_gmv         INTEGER,
    post_url             TEXT,
    mention_id           INTEGER REFERENCES mentions(id) ON DELETE SET NULL,
    published_at         TEXT,
    paid_at              TEXT,
    created_at           TEXT NOT NULL
);

CREATE TABLE results (
    id             INTEGER PRIMARY KEY,
    deliverable_id INTEGER NOT NULL REFERENCES deliverables(id) ON DELETE CASCADE,
    recorded_at    TEXT NOT NULL,
    impressions    INTEGER,
    views          INTEGER,
    likes          INTEGER,
    comments       INTEGER,
    shares         INTEGER,
    saves          INTEGER,
    clicks         INTEGER,
    conversions    INTEGER,
    gmv            INTEGER
);

CREATE TABLE users (
    id         INTEGER PRIMARY KEY,
    name       TEXT NOT NULL UNIQUE,
    role       TEXT NOT NULL CHECK (role IN ('viewer', 'pr', 'ops', 'admin')),
    created_at TEXT NOT NULL
);

CREATE TABLE api_tokens (
    id           INTEGER PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash   TEXT NOT NULL UNIQUE,
    created_at   TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at   TEXT
);

CREATE TABLE audit_log (
    id     INTEGER PRIMARY KEY,
    at     TEXT NOT NULL,
    actor  TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL,
    detail TEXT
);

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
