-- Migration 13 belongs to another change (not on this branch yet): this placeholder keeps
-- 014 at its number here and is deleted when that change's 013 is merged.
SELECT 1;
