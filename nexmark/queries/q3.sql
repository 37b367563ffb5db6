-- Query 3: Local Item Suggestion
-- Who sells in category 10 from OR, ID or CA, and which auctions: an
-- incremental join with filters on both sides.
-- streams: person, auction
SELECT P.name, P.city, P.state, A.id
FROM auction AS A INNER JOIN person AS P ON A.seller = P.id
WHERE A.category = 10 AND (P.state = 'OR' OR P.state = 'ID' OR P.state = 'CA')
