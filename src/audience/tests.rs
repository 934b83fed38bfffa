use super::*;
use crate::load::load_text;
use crate::stix::marking::Tlp;
use crate::stix::marking::TLP_MARKINGS;

fn store(objects: &[String]) -> Store {
    let text = format!(
        r#"{{"type":"bundle","id":"bundle--00000000-0000-4000-8000-000000000000","objects":[{}]}}"#,
        objects.join(",")
    );
    Store::build(load_text(std::path::Path::new("t.json"), text, &|_, _| Vec::new()).objects)
}

fn id(object_type: &str, n: u32) -> String {
    format!("{object_type}--00000000-0000-4000-8000-{n:012}")
}

fn marking(level: Tlp) -> &'static str {
    TLP_MARKINGS.iter().find(|m| m.1 == level).map(|m| m.0).unwrap()
}

fn object(object_type: &str, n: u32, extra: &str) -> String {
    format!(
        r#"{{"type":"{object_type}","spec_version":"2.1","id":"{}","created":"2025-01-01T00:00:00Z","modified":"2025-01-01T00:00:00Z"{extra}}}"#,
        id(object_type, n)
    )
}

fn marked(object_type: &str, n: u32, level: Tlp, extra: &str) -> String {
    object(object_type, n, &format!(r#","object_marking_refs":["{}"]{extra}"#, marking(level)))
}

/// A statement marking (copyright): it restricts nothing.
const STATEMENT: &str = r#"{"type":"marking-definition","spec_version":"2.1","id":"marking-definition--00000000-0000-4000-8000-000000000001","created":"2025-01-01T00:00:00Z","definition_type":"statement","definition":{"statement":"(c) Example"}}"#;
const STATEMENT_ID: &str = "marking-definition--00000000-0000-4000-8000-000000000001";

/// The View of `store` for `audience`, without git history.
fn view<'s>(store: &'s Store, audience: &Audience) -> View<'s> {
    static NO_HISTORY: std::sync::OnceLock<History> = std::sync::OnceLock::new();
    super::view(store, NO_HISTORY.get_or_init(History::off), audience)
}

fn public() -> Audience {
    Audience::public(std::path::Path::new("/repo"))
}

fn visible_ids(view: &View) -> Vec<String> {
    view.entries().map(|e| e.id().to_owned()).collect()
}

#[test]
fn the_public_sees_clear_white_and_unmarked_objects_only() {
    let store = store(&[
        marked("malware", 1, Tlp::Clear, ""),
        marked("malware", 2, Tlp::White, ""),
        marked("malware", 3, Tlp::Green, ""),
        marked("malware", 4, Tlp::Amber, ""),
        object("malware", 5, ""),
    ]);
    let view = view(&store, &public());
    assert_eq!(visible_ids(&view), [id("malware", 1), id("malware", 2), id("malware", 5)]);
    assert_eq!(view.withheld(), 2);
}

#[test]
fn a_report_listing_a_withheld_object_is_withheld_and_so_is_a_note_on_it() {
    let store = store(&[
        marked("indicator", 1, Tlp::Amber, ""),
        marked("report", 2, Tlp::Clear, &format!(r#","object_refs":["{}"]"#, id("indicator", 1))),
        object("note", 3, &format!(r#","content":"x","object_refs":["{}"]"#, id("report", 2))),
        object("note", 4, &format!(r#","content":"y","object_refs":["{}"]"#, id("malware", 404))),
    ]);
    let view = view(&store, &public());
    assert_eq!(visible_ids(&view), [id("note", 4)]);
    assert!(view.get(&id("indicator", 1)).is_none());
}

#[test]
fn an_unknown_marking_withholds_and_a_statement_does_not() {
    let store = store(&[
        STATEMENT.to_owned(),
        object("tool", 1, &format!(r#","object_marking_refs":["{STATEMENT_ID}"]"#)),
        object("tool", 2, r#","object_marking_refs":["marking-definition--00000000-0000-4000-8000-000000000999"]"#),
    ]);
    let view = view(&store, &public());
    assert!(view.get(&id("tool", 1)).is_some());
    assert!(view.get(&id("tool", 2)).is_none());
}

#[test]
fn an_older_version_under_a_stricter_marking_is_not_among_the_versions() {
    let old = format!(
        r#"{{"type":"tool","spec_version":"2.1","id":"{}","created":"2025-01-01T00:00:00Z","modified":"2025-01-01T00:00:00Z","object_marking_refs":["{}"]}}"#,
        id("tool", 1),
        marking(Tlp::Amber)
    );
    let store = store(&[old, object("tool", 1, "").replace("2025-01-01T00:00:00Z\"}", "2025-03-01T00:00:00Z\"}")]);
    let view = view(&store, &public());
    let entry = view.get(&id("tool", 1)).unwrap();
    assert_eq!(view.versions(entry).len(), 1);
}

fn report(n: u32, level: Tlp, listed: &[String]) -> String {
    let refs = listed.iter().map(|id| format!("\"{id}\"")).collect::<Vec<_>>().join(",");
    marked("report", n, level, &format!(r#","name":"R{n}","published":"2025-01-01T00:00:00Z","object_refs":[{refs}]"#))
}

#[test]
fn a_redacting_audience_gets_a_copy_of_the_report_without_the_withheld_object() {
    let store = store(&[
        marked("indicator", 1, Tlp::Amber, ""),
        marked("malware", 2, Tlp::Clear, ""),
        report(3, Tlp::Clear, &[id("indicator", 1), id("malware", 2)]),
        report(4, Tlp::Clear, &[id("indicator", 1)]),
        object(
            "relationship",
            5,
            &format!(
                r#","relationship_type":"indicates","source_ref":"{}","target_ref":"{}""#,
                id("indicator", 1),
                id("malware", 2)
            ),
        ),
    ]);
    let audience = Audience { redact_refs: true, ..public() };
    let view = view(&store, &audience);
    assert_eq!(visible_ids(&view), [id("malware", 2), id("report", 3)], "a report left empty and the relationship go");
    let report = view.get(&id("report", 3)).unwrap();
    let json = view.json(report.object);
    assert!(!json.contains(&id("indicator", 1)), "{json}");
    assert!(json.contains(&id("malware", 2)));
    assert_eq!(view.removed_references(report.object), 1);
}

#[test]
fn an_id_named_in_prose_withholds_like_a_reference() {
    let store = store(&[
        marked("indicator", 1, Tlp::Red, ""),
        object(
            "note",
            2,
            &format!(r#","content":"pivot from {}","object_refs":["{}"]"#, id("indicator", 1), id("malware", 3)),
        ),
        marked("malware", 3, Tlp::Clear, ""),
    ]);
    let view = view(&store, &public());
    assert_eq!(visible_ids(&view), [id("malware", 3)]);
}

#[test]
fn a_members_audience_sees_amber_and_an_audience_may_name_its_own_markings() {
    let custom = "marking-definition--00000000-0000-4000-8000-000000000077";
    let store = store(&[
        marked("malware", 1, Tlp::Amber, ""),
        marked("malware", 2, Tlp::Red, ""),
        object("tool", 3, &format!(r#","object_marking_refs":["{custom}"]"#)),
    ]);
    let members = Audience {
        name: "members".into(),
        tlp: vec![Tlp::Clear, Tlp::Green, Tlp::Amber],
        markings: vec![custom.into()],
        ..public()
    };
    let view = view(&store, &members);
    assert_eq!(visible_ids(&view), [id("malware", 1), id("tool", 3)]);
}

#[test]
fn granular_markings_count_like_object_markings() {
    let store = store(&[object(
        "malware",
        1,
        &format!(
            r#","name":"M","granular_markings":[{{"marking_ref":"{}","selectors":["description"]}}]"#,
            marking(Tlp::Amber)
        ),
    )]);
    assert!(visible_ids(&view(&store, &public())).is_empty());
}

#[test]
fn an_audience_without_unmarked_objects_still_sees_statement_marked_ones_only_when_cleared() {
    let store = store(&[
        STATEMENT.to_owned(),
        object("tool", 1, &format!(r#","object_marking_refs":["{STATEMENT_ID}"]"#)),
        marked("tool", 2, Tlp::Clear, ""),
    ]);
    let strict = Audience { unmarked: false, ..public() };
    let view = view(&store, &strict);
    assert_eq!(visible_ids(&view), [STATEMENT_ID.to_owned(), id("tool", 2)]);
    let tool = view.get(&id("tool", 2)).unwrap();
    assert!(view.statements(tool.object).is_empty());
}

#[test]
fn redacted_a_version_listing_thousands_of_withheld_objects_is_shown_and_one_naming_one_in_prose_is_not() {
    // Every other listed object is withheld: each was looked for among every reference.
    let mut objects = Vec::new();
    let mut listed = Vec::new();
    for n in 0..20_000u32 {
        let level = if n % 2 == 0 { Tlp::Clear } else { Tlp::Amber };
        objects.push(marked("malware", 100 + n, level, ""));
        listed.push(format!("\"{}\"", id("malware", 100 + n)));
    }
    let listed = listed.join(",");
    let report = |modified: &str, extra: &str| {
        format!(
            r#"{{"type":"report","spec_version":"2.1","id":"{}","created":"2025-01-01T00:00:00Z","modified":"{modified}","name":"r","published":"2025-01-01T00:00:00Z","object_refs":[{listed}]{extra}}}"#,
            id("report", 1)
        )
    };
    objects.push(report("2025-01-01T00:00:00Z", &format!(r#","description":"see {}""#, id("malware", 101))));
    objects.push(report("2025-02-01T00:00:00Z", ""));
    let store = store(&objects);
    let view = view(&store, &Audience { redact_refs: true, ..public() });
    let entry = view.get(&id("report", 1)).expect("the report stays, its withheld references redacted");
    let shown: Vec<&str> = view.versions(entry).iter().map(|v| v.version_key()).collect();
    assert_eq!(shown, ["2025-02-01T00:00:00Z"], "the version naming a withheld object in prose is not shown");
    assert_eq!(view.removed_references(entry.object), 10_000);
    assert!(!view.json(entry.object).contains(&id("malware", 101)));
}

#[test]
fn a_container_that_also_names_a_withheld_object_in_prose_is_withheld_not_redacted() {
    let report = |n: u32, description: &str| {
        object(
            "report",
            n,
            &format!(
                r#","name":"r","published":"2025-01-01T00:00:00Z","description":"{description}","object_refs":["{}","{}"]"#,
                id("malware", 1),
                id("malware", 2)
            ),
        )
    };
    let store = store(&[
        marked("malware", 1, Tlp::Clear, ""),
        marked("malware", 2, Tlp::Amber, ""),
        report(3, &format!("see {}", id("malware", 2))),
        report(4, "see the list"),
    ]);
    let view = view(&store, &Audience { redact_refs: true, ..public() });
    // Redacting its `object_refs` would have left the withheld id in the description.
    assert!(view.get(&id("report", 3)).is_none(), "{:?}", visible_ids(&view));
    let listed_only = view.get(&id("report", 4)).expect("a report that only lists it is redacted");
    assert!(!view.json(listed_only.object).contains(&id("malware", 2)));
}

/// `holders` objects of as many custom types sharing one UUID (the `n`th AMBER when `amber` is
/// Some(n)), a CLEAR malware, and `notes` CLEAR notes on the malware naming the UUID in prose.
fn crowd(holders: usize, amber: Option<usize>, notes: u32) -> Vec<String> {
    let uuid = "00000000-0000-4000-8000-0000000c0c0c";
    let level = |k: usize| if Some(k) == amber { Tlp::Amber } else { Tlp::Clear };
    let mut objects: Vec<String> = (0..holders)
        .map(|k| {
            let marking = marking(level(k));
            format!(
                r#"{{"type":"x-kind-{k}","spec_version":"2.1","id":"x-kind-{k}--{uuid}","created":"2025-01-01T00:00:00Z","modified":"2025-01-01T00:00:00Z","object_marking_refs":["{marking}"]}}"#
            )
        })
        .collect();
    objects.push(marked("malware", 1, Tlp::Clear, r#","name":"M","is_family":true"#));
    let refs = format!(r#","content":"see {uuid}","object_refs":["{}"]"#, id("malware", 1));
    objects.extend((0..notes).map(|n| marked("note", 100 + n, Tlp::Clear, &refs)));
    objects
}

#[test]
fn an_object_naming_a_uuid_many_types_share_goes_with_any_of_them_without_an_edge_to_each() {
    let holders = crate::link::CROWDED + 4;
    let store = store(&crowd(holders, Some(holders - 1), 3));
    let note = store.find(&id("note", 100)).unwrap();
    assert!(store.outgoing(note).iter().all(|edge| store.property(edge) != crate::link::MENTIONS), "no mention edges");
    let view = view(&store, &public());
    assert_eq!(view.len(), holders - 1 + 1, "the CLEAR holders and the malware; every note goes");
    assert!(view.get(&id("note", 100)).is_none());
    let withholding = withholding(&view);
    assert_eq!((withholding.total, withholding.causes[0].objects, withholding.causes[0].referrers), (4, 1, 3));
    // With every holder CLEAR, the notes are published.
    let store = self::store(&crowd(holders, None, 3));
    assert_eq!(self::view(&store, &public()).len(), holders + 1 + 3);
    // Under the threshold, mentions are edges, and the AMBER holder withholds the notes too.
    let store = self::store(&crowd(3, Some(2), 3));
    let note = store.find(&id("note", 100)).unwrap();
    assert_eq!(store.outgoing(note).iter().filter(|e| store.property(e) == crate::link::MENTIONS).count(), 3);
    assert_eq!(self::view(&store, &public()).len(), 2 + 1);
}

#[test]
fn thousands_of_objects_naming_a_uuid_thousands_of_types_share_are_judged_in_linear_time() {
    // One mention edge per holder and note would be 400 million here.
    let store = store(&crowd(20_000, Some(7), 20_000));
    let view = view(&store, &public());
    assert_eq!(view.len(), 20_000, "the CLEAR holders and the malware");
    assert_eq!(withholding(&view).total, 20_001);
}

#[test]
fn an_object_taking_a_referenced_object_s_uuid_does_not_withhold_what_references_it() {
    // An AMBER object with the community identity's UUID: what names the identity by its id is
    // not about the squatter, and stays published; the UUID alone, in prose, names both.
    let uuid = "00000000-0000-4000-8000-000000000005";
    for squatters in [1, crate::link::CROWDED + 1] {
        let mut objects = vec![
            marked("identity", 5, Tlp::Clear, r#","name":"Community","identity_class":"organization""#),
            marked(
                "malware",
                1,
                Tlp::Clear,
                &format!(r#","name":"M","is_family":true,"created_by_ref":"{}""#, id("identity", 5)),
            ),
            marked(
                "report",
                2,
                Tlp::Clear,
                &format!(r#","object_refs":["{}","{}"]"#, id("identity", 5), id("malware", 1)),
            ),
            marked("note", 3, Tlp::Clear, &format!(r#","content":"by {uuid}","object_refs":["{}"]"#, id("malware", 1))),
        ];
        objects.extend((0..squatters).map(|k| {
            let amber = marking(Tlp::Amber);
            format!(
                r#"{{"type":"x-squat-{k}","spec_version":"2.1","id":"x-squat-{k}--{uuid}","created":"2025-01-01T00:00:00Z","modified":"2025-01-01T00:00:00Z","object_marking_refs":["{amber}"]}}"#
            )
        }));
        let store = store(&objects);
        let view = view(&store, &public());
        let mut visible = visible_ids(&view);
        visible.sort();
        assert_eq!(visible, [id("identity", 5), id("malware", 1), id("report", 2)], "{squatters} squatters");
        let malware = store.find(&id("malware", 1)).unwrap();
        assert!(store.outgoing(malware).iter().all(|e| store.property(e) != crate::link::MENTIONS), "{squatters}");
        // A reference to an id the repository lacks names the UUID alone: publishing it would
        // show the squatters' UUID where no visible object has it.
        let uuid = "00000000-0000-4000-8000-000000000006";
        let mut objects = vec![marked("report", 7, Tlp::Clear, &format!(r#","object_refs":["campaign--{uuid}"]"#))];
        objects.extend((0..squatters).map(|k| {
            format!(
                r#"{{"type":"x-squat-{k}","spec_version":"2.1","id":"x-squat-{k}--{uuid}","created":"2025-01-01T00:00:00Z","modified":"2025-01-01T00:00:00Z","object_marking_refs":["{}"]}}"#,
                marking(Tlp::Amber)
            )
        }));
        let store = self::store(&objects);
        assert!(visible_ids(&self::view(&store, &public())).is_empty(), "{squatters} squatters");
    }
}

#[test]
fn an_attack_id_s_page_is_the_first_visible_object_claiming_it_however_many_are_withheld() {
    let claim = r#","name":"T","external_references":[{"source_name":"mitre-attack","external_id":"T1"}]"#;
    let mut objects: Vec<String> = (0..5000).map(|n| marked("attack-pattern", n, Tlp::Amber, claim)).collect();
    objects.push(marked("attack-pattern", 9000, Tlp::Clear, claim));
    // Carrying T1 second is no claim to it.
    let second = r#","name":"M","is_family":true,"external_references":[{"source_name":"x","external_id":"X"},{"source_name":"mitre-attack","external_id":"T1"}]"#;
    objects.push(marked("malware", 1, Tlp::Clear, second));
    let store = store(&objects);
    let view = view(&store, &public());
    for asked in ["T1", "t1", "T1"] {
        assert_eq!(view.attack_owner(asked).map(|e| e.id().to_owned()), Some(id("attack-pattern", 9000)));
    }
    assert!(view.attack_owner("T2").is_none());
    let members = Audience { tlp: vec![Tlp::Clear, Tlp::Amber], ..public() };
    let view = self::view(&store, &members);
    assert_eq!(view.attack_owner("T1").map(|e| e.id().to_owned()), Some(id("attack-pattern", 0)));
}
