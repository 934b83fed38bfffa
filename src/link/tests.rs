use super::*;
use crate::load::load_text;

/// A Store of the objects in `objects` (JSON texts), in one file, unchecked.
fn store(objects: &[&str]) -> Store {
    let text = format!(r#"{{"type":"bundle","id":"bundle--{}","objects":[{}]}}"#, UUID, objects.join(","));
    let loaded = load_text(std::path::Path::new("test.json"), text, &|_, _| Vec::new());
    Store::build(loaded.objects)
}

const UUID: &str = "00000000-0000-4000-8000-000000000000";

fn object(object_type: &str, n: u32, modified: &str, extra: &str) -> String {
    format!(
        r#"{{"type":"{object_type}","spec_version":"2.1","id":"{object_type}--00000000-0000-4000-8000-{n:012}","created":"2025-01-01T00:00:00.000Z","modified":"{modified}"{extra}}}"#
    )
}

fn id(object_type: &str, n: u32) -> String {
    format!("{object_type}--00000000-0000-4000-8000-{n:012}")
}

#[test]
fn the_latest_version_wins_and_identical_copies_count_once() {
    let old = object("malware", 1, "2025-01-01T00:00:00.000Z", r#","name":"Old","is_family":true"#);
    let new = object("malware", 1, "2025-02-01T00:00:00Z", r#","name":"New","is_family":true"#);
    let store = store(&[&new, &old, &old]);
    let index = store.find(&id("malware", 1)).unwrap();
    assert_eq!(store.len(), 1);
    assert_eq!(store.versions(index).len(), 2);
    assert_eq!(store.latest(index).name.as_deref(), Some("New"));
}

#[test]
fn a_version_is_found_by_its_place_among_all_versions_and_a_copy_is_not() {
    let old = object("malware", 1, "2025-01-01T00:00:00.000Z", r#","name":"Old","is_family":true"#);
    let new = object("malware", 1, "2025-02-01T00:00:00Z", r#","name":"New","is_family":true"#);
    let other = object("tool", 2, "2025-01-01T00:00:00.000Z", r#","name":"Tool""#);
    let store = store(&[&new, &other, &old]);
    assert_eq!(store.version_count(), 3);
    let mut places: Vec<usize> = store
        .indices()
        .flat_map(|index| store.versions(index))
        .map(|version| store.version_position(version).expect("a version of the Store"))
        .collect();
    places.sort_unstable();
    assert_eq!(places, [0, 1, 2]);
    let copy = store.latest(store.find(&id("tool", 2)).unwrap()).clone();
    assert_eq!(store.version_position(&copy), None);
}

#[test]
fn relationships_link_both_ways_and_are_named_by_their_ends() {
    let actor = object("threat-actor", 1, "2025-01-01T00:00:00Z", r#","name":"Night Relay Crew""#);
    let pattern = object("attack-pattern", 2, "2025-01-01T00:00:00Z", r#","name":"Relay Attack""#);
    let uses = object(
        "relationship",
        3,
        "2025-01-01T00:00:00Z",
        &format!(
            r#","relationship_type":"uses","source_ref":"{}","target_ref":"{}""#,
            id("threat-actor", 1),
            id("attack-pattern", 2)
        ),
    );
    let store = store(&[&actor, &pattern, &uses]);
    let relationship = store.find(&id("relationship", 3)).unwrap();
    assert_eq!(store.latest(relationship).display_name(), "Night Relay Crew uses Relay Attack");
    let out: Vec<&str> = store.outgoing(relationship).iter().map(|e| store.property(e)).collect();
    assert_eq!(out, ["source_ref", "target_ref"]);
    let target = store.find(&id("attack-pattern", 2)).unwrap();
    let incoming: Vec<_> = store.incoming(target).map(|e| (e.source, store.property(e))).collect();
    assert_eq!(incoming, [(relationship, "target_ref")]);
}

#[test]
fn references_to_absent_objects_make_no_edge() {
    let report = object(
        "report",
        1,
        "2025-01-01T00:00:00Z",
        &format!(r#","name":"R","published":"2025-01-01T00:00:00Z","object_refs":["{}"]"#, id("malware", 9)),
    );
    let store = store(&[&report]);
    assert!(store.outgoing(ObjectIndex(0)).is_empty());
    assert_eq!(store.find(&id("malware", 9)), None);
}

#[test]
fn external_ids_are_found_whatever_the_case() {
    let actor = object(
        "intrusion-set",
        1,
        "2025-01-01T00:00:00Z",
        r#","name":"Night Relay Crew","aliases":["NRC"],"external_references":[{"source_name":"mitre-attack","external_id":"G9999"}]"#,
    );
    let store = store(&[&actor]);
    assert_eq!(store.names().with_external_id("g9999"), [ObjectIndex(0)]);
}

#[test]
fn an_id_named_in_an_extension_or_in_prose_is_a_mention() {
    let malware = object("malware", 1, "2025-01-01T00:00:00Z", r#","name":"M","is_family":true"#);
    let note = object(
        "note",
        2,
        "2025-01-01T00:00:00Z",
        &format!(
            r#","content":"see {m} and {absent}","object_refs":["{m}"],"extensions":{{"x":{{"about":"{tool}"}}}}"#,
            m = id("malware", 1),
            absent = id("malware", 9),
            tool = id("tool", 3)
        ),
    );
    let tool = object("tool", 3, "2025-01-01T00:00:00Z", r#","name":"T""#);
    let store = store(&[&malware, &note, &tool]);
    let note = store.find(&id("note", 2)).unwrap();
    let out: Vec<_> = store.outgoing(note).iter().map(|e| (store.property(e), e.target)).collect();
    let (malware, tool) = (store.find(&id("malware", 1)).unwrap(), store.find(&id("tool", 3)).unwrap());
    assert_eq!(out, [("object_refs", malware), (MENTIONS, tool)]);
}

#[test]
fn a_reference_names_its_target_alone_and_a_uuid_in_prose_every_object_holding_it() {
    // The note references the malware, and a tool shares its UUID: the reference, which spells
    // the malware's id whole, is no mention of the tool (else any object could take a UUID and
    // stand in for the object it belongs to). Named alone in prose, the UUID names both.
    let malware = object("malware", 1, "2025-01-01T00:00:00Z", r#","name":"M","is_family":true"#);
    let tool = object("tool", 1, "2025-01-01T00:00:00Z", r#","name":"T""#);
    let campaign = object("campaign", 4, "2025-01-01T00:00:00Z", r#","name":"C""#);
    let refs = format!(r#""object_refs":["{}","{}"]"#, id("malware", 1), id("campaign", 4));
    let uuid = id("malware", 1).split_once("--").unwrap().1.to_owned();
    let find = |store: &Store, t, n| store.find(&id(t, n)).unwrap();
    for (content, mentions_tool) in [("x", false), (uuid.as_str(), true)] {
        let note = object("note", 2, "2025-01-01T00:00:00Z", &format!(r#","content":"{content}",{refs}"#));
        let store = store(&[&malware, &note, &tool, &campaign]);
        let note = store.find(&id("note", 2)).unwrap();
        let out: Vec<_> = store.outgoing(note).iter().map(|e| (store.property(e), e.target)).collect();
        let mut expected =
            vec![("object_refs", find(&store, "malware", 1)), ("object_refs", find(&store, "campaign", 4))];
        if mentions_tool {
            expected.push((MENTIONS, find(&store, "tool", 1)));
        }
        assert_eq!(out, expected, "content {content}");
    }
}

#[test]
fn a_permutation_is_applied_in_place() {
    let mut items = vec!['a', 'b', 'c', 'd', 'e', 'f'];
    let mut order = vec![2, 0, 1, 3, 5, 4];
    apply_permutation(&mut items, &mut order);
    assert_eq!(items, ['c', 'a', 'b', 'd', 'f', 'e']);
    assert_eq!(order, [0, 1, 2, 3, 4, 5]);
}

#[test]
fn a_plan_leaves_out_what_it_refuses_and_the_store_is_as_if_they_were_never_loaded() {
    let old = object("malware", 1, "2025-01-01T00:00:00.000Z", r#","name":"Old","is_family":true"#);
    let new = object("malware", 1, "2025-02-01T00:00:00Z", r#","name":"New","is_family":true"#);
    let refused = object("tool", 2, "2025-01-01T00:00:00Z", r#","name":"Refused""#);
    let report = object(
        "report",
        3,
        "2025-01-01T00:00:00Z",
        &format!(
            r#","name":"R","published":"2025-01-01T00:00:00Z","object_refs":["{}","{}"]"#,
            id("malware", 1),
            id("tool", 2)
        ),
    );
    let texts = [&report, &new, &refused, &old, &new];
    let text =
        format!(r#"{{"type":"bundle","id":"bundle--{}","objects":[{}]}}"#, UUID, texts.map(|t| t.as_str()).join(","));
    let objects = load_text(std::path::Path::new("test.json"), text, &|_, _| Vec::new()).objects;
    let plan = LinkPlan::of(&objects, |o| o.object_type != "tool");
    let planned = Store::built_as_planned(objects, plan);
    let without = store(&[&report, &new, &old, &new]);
    assert_eq!(planned.len(), 2);
    assert!(planned.find(&id("tool", 2)).is_none());
    for store in [&planned, &without] {
        let malware = store.find(&id("malware", 1)).unwrap();
        assert_eq!(store.versions(malware).len(), 2, "the copy of the newest version is kept once");
        assert_eq!(store.latest(malware).name.as_deref(), Some("New"));
    }
    let edges = |store: &Store| -> Vec<(String, String)> {
        let report = store.find(&id("report", 3)).unwrap();
        store
            .outgoing(report)
            .iter()
            .map(|e| (store.latest(e.target).id.clone(), store.property(e).to_owned()))
            .collect()
    };
    assert_eq!(edges(&planned), edges(&without));
    assert_eq!(edges(&planned), [(id("malware", 1), "object_refs".to_owned())]);
}

#[test]
fn every_edge_keeps_its_property_past_65536_property_names() {
    const NAMES: u32 = 65_600;
    let tool = object("tool", 0, "2025-01-01T00:00:00Z", r#","name":"Tool""#);
    let mut objects = vec![tool];
    let target = id("tool", 0);
    objects.extend(
        (1..=NAMES).map(|n| object("x-thing", n, "2025-01-01T00:00:00Z", &format!(r#","x_r{n}_ref":"{target}""#))),
    );
    let texts: Vec<&str> = objects.iter().map(String::as_str).collect();
    let store = store(&texts);
    let tool = store.find(&target).unwrap();
    assert_eq!(store.incoming(tool).count(), NAMES as usize);
    for n in [1, 65_536, 65_537, NAMES] {
        let source = store.find(&id("x-thing", n)).unwrap();
        let edges = store.outgoing(source);
        assert_eq!(edges.len(), 1);
        assert_eq!(store.property(&edges[0]), format!("x_r{n}_ref"));
    }
}

fn attack(object_type: &str, n: u32, ids: &[&str]) -> String {
    let refs: Vec<String> =
        ids.iter().map(|id| format!(r#"{{"source_name":"mitre-attack","external_id":"{id}"}}"#)).collect();
    let first_elsewhere =
        if object_type == "attack-pattern" { "" } else { r#"{"source_name":"x","external_id":"X"},"# };
    let extra = format!(r#","name":"N{n}","external_references":[{first_elsewhere}{}]"#, refs.join(","));
    object(object_type, n, "2025-01-01T00:00:00.000Z", &extra)
}

#[test]
fn sub_techniques_find_their_parent_by_id_among_thousands_of_objects_carrying_it() {
    // Custom objects carrying T1 (their ids sort first), a technique T1 and its children.
    let mut objects: Vec<String> = (0..5000).map(|n| attack("aaa-thing", n, &["T1"])).collect();
    objects.push(attack("attack-pattern", 9000, &["T1"]));
    objects.extend((0..5000).map(|n| attack("attack-pattern", 10_000 + n, &[&format!("T1.{n:03}")])));
    let texts: Vec<&str> = objects.iter().map(String::as_str).collect();
    let store = store(&texts);
    let parent = store.find(&id("attack-pattern", 9000)).unwrap();
    for n in [10_000, 14_999] {
        let child = store.find(&id("attack-pattern", n)).unwrap();
        assert_eq!(store.subtechnique(child).map(|(p, _)| p), Some(parent), "child {n}");
    }
    assert_eq!(store.names().attack_owners("t1"), [parent], "the custom objects carry T1 second");
    // A second technique with the id: no child can tell which is its parent.
    objects.push(attack("attack-pattern", 9001, &["T1"]));
    let texts: Vec<&str> = objects.iter().map(String::as_str).collect();
    let store = self::store(&texts);
    assert!(store.subtechnique(store.find(&id("attack-pattern", 10_000)).unwrap()).is_none());
    assert_eq!(store.names().attack_owners("T1").len(), 2);
}
