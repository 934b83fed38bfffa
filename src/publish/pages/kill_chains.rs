//! `matrix/<kill-chain>/`: one matrix per kill chain in use, the way ATT&CK users read one: a
//! column per phase (tactic) headed by its name, a cell per technique, its sub-techniques
//! folded under it. Every kill-chain phase on an object page leads to its column here, and
//! `matrix/` lists the matrices. Filtered copies (one platform, only the techniques used) are
//! plain pages, so filtering needs no script. Reads the View only.
//!
//! Column order: the tactics of the ATT&CK matrix (`x-mitre-matrix`) that covers the chain
//! best, else `[site.matrix] order`, else the order the data first writes the phases in (never
//! alphabetical: a kill chain is a sequence).

use std::cmp::Reverse;
use std::collections::{BTreeMap, BTreeSet, BinaryHeap, HashMap, HashSet};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::links::Link;
use crate::audience::{Entry, View};

#[derive(Serialize, Clone)]
pub(crate) struct KillChainPage {
    /// The kill chain's name as the data writes it (`mitre-attack`): the page's address.
    pub(crate) name: String,
    /// What to call it: its ATT&CK matrix's name ("Enterprise ATT&CK"), else the chain's name
    /// made readable.
    pub(crate) title: String,
    pub(crate) phases: Vec<PhaseSection>,
    /// Techniques shown (sub-techniques not counted).
    pub(crate) techniques: usize,
    pub(crate) sub_techniques: usize,
    /// The platforms its techniques name (`x_mitre_platforms`), each with its filtered page:
    /// at most `FILTERED_PLATFORMS`, those with the most techniques, by name. Empty in a
    /// filtered copy (its page lists the whole matrix's).
    pub(crate) platforms: Vec<Facet>,
    /// The platforms named beyond those, which get no page.
    pub(crate) more_platforms: usize,
    /// How many techniques are used here (the "only used" page's size).
    pub(crate) used: usize,
    /// The filter this copy shows, when it is one.
    pub(crate) filter: Option<String>,
}

#[derive(Serialize, Clone)]
pub(crate) struct Facet {
    pub(crate) label: String,
    pub(crate) slug: String,
    pub(crate) count: usize,
}

#[derive(Serialize, Clone)]
pub(crate) struct PhaseSection {
    /// The phase name (`initial-access`): the column's anchor.
    pub(crate) name: String,
    /// The tactic's name ("Initial Access"), else the phase name made readable.
    pub(crate) title: String,
    /// The tactic's object, when the View has one.
    pub(crate) tactic_id: Option<String>,
    pub(crate) tactic_external_id: Option<String>,
    pub(crate) members: Vec<Member>,
}

#[derive(Serialize, Clone)]
pub(crate) struct Member {
    pub(crate) id: String,
    /// What the cell says: a sub-technique's own name (its technique is just above it), never
    /// the id again when the name starts with it.
    pub(crate) label: String,
    /// The full name ("Valid Accounts: Cloud Accounts"), for the cell's tooltip.
    pub(crate) name: String,
    pub(crate) external_id: Option<String>,
    /// How often it is used: `uses` relationships from intrusion sets, campaigns, malware and
    /// tools, and reports that list it.
    pub(crate) uses: usize,
    /// 0 (unused) to 5 (the most used in this kill chain), for the cell's shade.
    pub(crate) heat: u8,
    /// Its sub-techniques in this phase, by name.
    pub(crate) subs: Vec<Member>,
    #[serde(skip)]
    platforms: Vec<String>,
}

/// The site navigation's link to a matrix.
#[derive(Serialize)]
pub(crate) struct MatrixLink {
    /// Its path from the site root.
    pub(crate) path: String,
    pub(crate) title: String,
}

impl MatrixLink {
    pub(crate) fn to(page: &KillChainPage) -> MatrixLink {
        MatrixLink { path: format!("matrix/{}/", page.name), title: page.title.clone() }
    }
}

/// What the list of matrices and a filtered matrix's filters say of a whole matrix: its
/// figures without its cells (a template's context is copied whole, and one matrix can hold a
/// hundred thousand cells).
#[derive(Serialize)]
pub(crate) struct MatrixSummary<'p> {
    pub(crate) name: &'p str,
    pub(crate) title: &'p str,
    pub(crate) tactics: usize,
    pub(crate) techniques: usize,
    pub(crate) sub_techniques: usize,
    pub(crate) used: usize,
    pub(crate) platforms: &'p [Facet],
    pub(crate) more_platforms: usize,
}

impl KillChainPage {
    pub(crate) fn summary(&self) -> MatrixSummary<'_> {
        MatrixSummary {
            name: &self.name,
            title: &self.title,
            tactics: self.phases.len(),
            techniques: self.techniques,
            sub_techniques: self.sub_techniques,
            used: self.used,
            platforms: &self.platforms,
            more_platforms: self.more_platforms,
        }
    }
}

/// What this page reads of an object; the rest of its JSON is skipped unparsed.
#[derive(Deserialize)]
struct Phases {
    #[serde(default)]
    kill_chain_phases: Vec<PhaseRef>,
    #[serde(default)]
    x_mitre_platforms: Vec<String>,
}

#[derive(Deserialize)]
struct PhaseRef {
    kill_chain_name: String,
    phase_name: String,
}

/// Names safe as a path segment and a fragment: the only ones an object page links to.
pub(crate) fn is_slug(name: &str) -> bool {
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

/// A technique in one column, with its platforms.
type Cell<'v> = (Entry<'v>, Vec<String>);

/// One object's place in a chain: the phase, and where the data first writes it (file, offset
/// of the object, position in its `kill_chain_phases`), for the written order.
struct Placed<'v> {
    chain: String,
    phase: String,
    entry: Entry<'v>,
    written: (&'v std::path::Path, usize, usize),
    platforms: Vec<String>,
}

/// The phases of an object, when it is current (revoked and deprecated objects are left out
/// of a matrix, as ATT&CK leaves them out).
fn placed<'v>(entry: Entry<'v>) -> Vec<Placed<'v>> {
    if entry.retired().is_some() || !entry.object.raw.contains("\"kill_chain_phases\"") {
        return Vec::new();
    }
    let Ok(parsed) = serde_json::from_str::<Phases>(&entry.object.raw) else { return Vec::new() };
    let platforms = parsed.x_mitre_platforms;
    parsed
        .kill_chain_phases
        .into_iter()
        .enumerate()
        .filter(|(_, p)| is_slug(&p.kill_chain_name) && is_slug(&p.phase_name))
        .map(|(position, p)| Placed {
            chain: p.kill_chain_name,
            phase: p.phase_name,
            entry,
            written: (entry.object.file.as_path(), entry.object.offset, position),
            platforms: platforms.clone(),
        })
        .collect()
}

/// Every kill chain the View uses, by name, biggest first.
pub(crate) fn kill_chain_pages<'v>(view: &View<'v>, columns: &Columns, root: &str) -> Vec<KillChainPage> {
    let entries: Vec<Entry<'v>> = view.entries().collect();
    let all: Vec<Placed<'v>> = entries.par_iter().flat_map_iter(|e| placed(*e)).collect();
    let mut chains: BTreeMap<String, Vec<Placed<'v>>> = BTreeMap::new();
    for p in all {
        chains.entry(p.chain.clone()).or_default().push(p);
    }
    for placed in chains.values_mut() {
        keep_techniques(placed);
    }
    let mut uses_of: HashMap<&str, usize> = HashMap::new();
    let mut pages: Vec<KillChainPage> = chains
        .into_iter()
        .map(|(name, placed)| {
            for p in &placed {
                uses_of.entry(p.entry.id()).or_insert_with(|| usage(view, p.entry));
            }
            chain_page(view, columns, name, placed, &|e| uses_of.get(e.id()).copied().unwrap_or(0), root)
        })
        .collect();
    for page in &mut pages {
        let most = page.members().map(|m| m.uses).max().unwrap_or(0);
        page.members_mut(&mut |member| member.heat = heat(member.uses, most));
    }
    pages.sort_by(|a, b| b.techniques.cmp(&a.techniques).then_with(|| a.name.cmp(&b.name)));
    pages
}

/// A matrix's cells are techniques: where a chain places attack patterns, the indicators,
/// malware and tools that name its phases stay on their own pages (a community tagging
/// indicators would otherwise fill every cell with them: 190,000 at a million objects). A chain
/// only other objects use keeps them, or it would have no matrix at all.
fn keep_techniques(placed: &mut Vec<Placed<'_>>) {
    if placed.iter().any(|p| p.entry.object_type() == "attack-pattern") {
        placed.retain(|p| p.entry.object_type() == "attack-pattern");
    }
}

/// The matrix of one chain from its objects' places.
fn chain_page<'v>(
    view: &View<'v>,
    columns: &Columns,
    name: String,
    placed: Vec<Placed<'v>>,
    uses: &dyn Fn(Entry<'_>) -> usize,
    root: &str,
) -> KillChainPage {
    let written = written_order(&placed);
    let mut phases: BTreeMap<String, (Vec<Cell<'v>>, usize)> = BTreeMap::new();
    for p in placed {
        let rank = written.iter().position(|w| *w == p.phase).unwrap_or(usize::MAX);
        phases.entry(p.phase).or_insert_with(|| (Vec::new(), rank)).0.push((p.entry, p.platforms));
    }
    let matrix = columns.matrix_for(phases.keys());
    let mut ordered: Vec<_> = phases.into_iter().collect();
    ordered.sort_by_key(|(phase, (_, written))| {
        let in_matrix = matrix.and_then(|m| m.rank(phase)).unwrap_or(usize::MAX);
        let configured = columns.configured.iter().position(|p| p == phase).unwrap_or(usize::MAX);
        let known = known_order(&name).iter().position(|p| p == phase).unwrap_or(usize::MAX);
        (in_matrix, configured, known, *written)
    });
    let phases: Vec<PhaseSection> = ordered
        .into_iter()
        .map(|(phase, (entries, _))| {
            let tactic = matrix.and_then(|m| m.tactic(&phase)).or_else(|| columns.tactics.get(&phase));
            phase_section(view, phase, tactic, entries, uses, root)
        })
        .collect();
    let title = matrix.map_or_else(|| chain_title(&name), |m| m.name.clone());
    KillChainPage::new(name, title, phases)
}

/// The phases in the order the data writes them: a phase an object lists before another comes
/// first, and where no object says, the one written first (file, place in it) does.
fn written_order(placed: &[Placed<'_>]) -> Vec<String> {
    written_order_from(placed.iter().map(|p| (p.phase.as_str(), p.written)))
}

type Written<'a> = (&'a std::path::Path, usize, usize);

fn written_order_from<'a>(placed: impl Iterator<Item = (&'a str, Written<'a>)>) -> Vec<String> {
    let mut by_object: Vec<(Written<'a>, &'a str)> = placed.map(|(phase, written)| (written, phase)).collect();
    by_object.sort_unstable();
    let mut first: BTreeMap<&str, Written<'a>> = BTreeMap::new();
    for (written, phase) in &by_object {
        first.entry(phase).or_insert(*written);
    }
    // Each object's phases in its own order: consecutive ones say which comes first.
    let mut before: HashSet<(&str, &str)> = HashSet::new();
    for pair in by_object.windows(2) {
        let ((a, earlier), (b, later)) = (pair[0], pair[1]);
        if (a.0, a.1) == (b.0, b.1) && earlier != later {
            before.insert((earlier, later));
        }
    }
    let mut phases: Vec<&str> = first.keys().copied().collect();
    phases.sort_by_key(|phase| first[phase]);
    let rank: HashMap<&str, usize> = phases.iter().enumerate().map(|(at, phase)| (*phase, at)).collect();
    let edges: Vec<(usize, usize)> = before.iter().map(|(a, b)| (rank[a], rank[b])).collect();
    first_written_topological(phases.len(), &edges).into_iter().map(|at| phases[at].to_owned()).collect()
}

/// `0..count` ordered so that `a` comes before `b` for each edge `(a, b)`: at each step the
/// lowest number that nothing left must precede, and on a cycle the lowest left. (Kahn's
/// order with a heap: a pull request can write thousands of phases, and looking through every
/// one left for every one placed took minutes.)
fn first_written_topological(count: usize, edges: &[(usize, usize)]) -> Vec<usize> {
    let mut after: Vec<Vec<usize>> = vec![Vec::new(); count];
    let mut waiting = vec![0usize; count];
    for &(a, b) in edges {
        after[a].push(b);
        waiting[b] += 1;
    }
    let mut left: BTreeSet<usize> = (0..count).collect();
    let mut free: BinaryHeap<Reverse<usize>> = (0..count).filter(|&n| waiting[n] == 0).map(Reverse).collect();
    let mut order = Vec::with_capacity(count);
    while let Some(&lowest) = left.first() {
        let next = match free.pop() {
            Some(Reverse(n)) if left.contains(&n) => n,
            Some(_) => continue,
            None => lowest,
        };
        left.remove(&next);
        order.push(next);
        for &b in &after[next] {
            waiting[b] -= 1;
            if waiting[b] == 0 && left.contains(&b) {
                free.push(Reverse(b));
            }
        }
    }
    order
}

/// The order of well-known kill chains' phases, for data without a matrix that gives it: the
/// ATT&CK tactics (enterprise, mobile and ICS merged, which agree) and Lockheed Martin's.
fn known_order(chain: &str) -> &'static [&'static str] {
    match chain {
        "mitre-attack" | "mitre-mobile-attack" | "mitre-ics-attack" | "mitre-pre-attack" => &[
            "reconnaissance",
            "resource-development",
            "initial-access",
            "execution",
            "persistence",
            "privilege-escalation",
            "defense-evasion",
            "evasion",
            "credential-access",
            "discovery",
            "lateral-movement",
            "collection",
            "command-and-control",
            "exfiltration",
            "inhibit-response-function",
            "impair-process-control",
            "impact",
        ],
        "lockheed" | "lockheed-martin" | "lockheed-martin-cyber-kill-chain" => &[
            "reconnaissance",
            "weaponization",
            "delivery",
            "exploitation",
            "installation",
            "command-and-control",
            "act-on-objectives",
            "actions-on-objectives",
        ],
        _ => &[],
    }
}

/// The most platforms a matrix gets a filtered copy for. ATT&CK's enterprise matrix names a
/// dozen; a repository naming thousands made a copy of the matrix for each, each listing all
/// of them (4,000 took 38.8 s and 1.4 GB).
pub(crate) const FILTERED_PLATFORMS: usize = 24;

impl KillChainPage {
    /// The whole matrix of `phases`, counted, with its platforms.
    fn new(name: String, title: String, phases: Vec<PhaseSection>) -> KillChainPage {
        let mut page = KillChainPage::counted(name, title, phases, None);
        // In slug order: the platforms kept are the most used, the first slugs among equals.
        let facets = page.facets();
        let counts: Vec<usize> = facets.iter().map(|f| f.count).collect();
        let kept = super::lists::largest(&counts, FILTERED_PLATFORMS);
        page.more_platforms = facets.len() - kept.len();
        page.platforms = kept.into_iter().map(|at| facets[at].clone()).collect();
        page
    }

    /// A page of `phases`, counted, without platforms.
    fn counted(name: String, title: String, phases: Vec<PhaseSection>, filter: Option<String>) -> KillChainPage {
        let mut page = KillChainPage {
            name,
            title,
            phases,
            techniques: 0,
            sub_techniques: 0,
            platforms: Vec::new(),
            more_platforms: 0,
            used: 0,
            filter,
        };
        page.count();
        page
    }

    fn members(&self) -> impl Iterator<Item = &Member> {
        self.phases.iter().flat_map(|p| &p.members).flat_map(|m| std::iter::once(m).chain(&m.subs))
    }

    fn members_mut(&mut self, f: &mut dyn FnMut(&mut Member)) {
        for member in self.phases.iter_mut().flat_map(|p| &mut p.members) {
            f(member);
            member.subs.iter_mut().for_each(&mut *f);
        }
    }

    /// Counts distinct techniques and sub-techniques, and those used.
    fn count(&mut self) {
        let top: HashSet<&str> = self.phases.iter().flat_map(|p| &p.members).map(|m| m.id.as_str()).collect();
        let all: HashSet<&str> = self.members().map(|m| m.id.as_str()).collect();
        let used: HashSet<&str> =
            self.phases.iter().flat_map(|p| &p.members).filter(|m| is_used(m)).map(|m| m.id.as_str()).collect();
        (self.techniques, self.sub_techniques, self.used) = (top.len(), all.len() - top.len(), used.len());
    }

    /// Every platform named, with how many techniques (distinct) run on it.
    fn facets(&self) -> Vec<Facet> {
        let mut by_platform: BTreeMap<String, (String, HashSet<&str>)> = BTreeMap::new();
        // A technique counts for the platforms of its sub-techniques too, as the filter keeps it.
        for member in self.phases.iter().flat_map(|p| &p.members) {
            for platform in std::iter::once(member).chain(&member.subs).flat_map(|m| &m.platforms) {
                let slug = slug(platform);
                if slug.is_empty() {
                    continue;
                }
                let slot = by_platform.entry(slug).or_insert_with(|| (platform.clone(), HashSet::new()));
                slot.1.insert(&member.id);
            }
        }
        by_platform.into_iter().map(|(slug, (label, ids))| Facet { label, slug, count: ids.len() }).collect()
    }

    /// A copy with only the techniques `keep` accepts (a technique stays when one of its
    /// sub-techniques does, with only those), and the columns that keep some.
    pub(crate) fn filtered(&self, label: String, keep: &dyn Fn(&Member) -> bool) -> KillChainPage {
        let phases = self
            .phases
            .iter()
            .map(|phase| {
                let members = phase
                    .members
                    .iter()
                    .filter_map(|m| {
                        let subs: Vec<Member> = m.subs.iter().filter(|s| keep(s)).cloned().collect();
                        (keep(m) || !subs.is_empty()).then(|| Member { subs, ..m.clone() })
                    })
                    .collect();
                PhaseSection { members, ..phase.clone() }
            })
            .filter(|phase| !phase.members.is_empty())
            .collect();
        KillChainPage::counted(self.name.clone(), self.title.clone(), phases, Some(label))
    }

    /// The filtered copies, each with its path below the chain's page and its depth, each made
    /// when it is taken (one can be as large as the matrix it filters).
    pub(crate) fn filters(&self) -> impl Iterator<Item = (String, usize, KillChainPage)> + '_ {
        let some_used = self.used > 0 && self.used < self.techniques;
        let used = some_used
            .then_some(())
            .into_iter()
            .map(|()| ("used/".to_owned(), 3, self.filtered("used here".into(), &|m| is_used(m))));
        let platforms = self.platforms.iter().map(|facet| {
            let on_platform = |m: &Member| m.platforms.iter().any(|p| slug(p) == facet.slug);
            let page = self.filtered(format!("platform {}", facet.label), &on_platform);
            (format!("platform/{}/", facet.slug), 4, page)
        });
        used.chain(platforms)
    }
}

/// Used by a group, campaign or piece of software, or listed by a report.
fn is_used(member: &Member) -> bool {
    member.uses > 0 || member.subs.iter().any(|s| s.uses > 0)
}

/// A name as a path segment: lower-case letters and digits, other runs as one `-`.
fn slug(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// 0 for unused, else 1 to 5 on a log scale up to the most used.
pub(crate) fn heat(uses: usize, most: usize) -> u8 {
    if uses == 0 || most == 0 {
        return 0;
    }
    if most == 1 {
        return 5;
    }
    let level = 1.0 + 4.0 * (uses as f64).ln() / (most as f64).ln();
    level.round().clamp(1.0, 5.0) as u8
}

/// How often a technique is used: `uses` relationships to it from intrusion sets, campaigns,
/// malware and tools, and reports that list it.
pub(crate) fn usage(view: &View<'_>, entry: Entry<'_>) -> usize {
    let by_relationship = view
        .relationships(entry)
        .filter(|(rel, other, outgoing)| {
            !outgoing
                && rel.object.relationship_type.as_deref() == Some("uses")
                && matches!(other.object_type(), "intrusion-set" | "campaign" | "malware" | "tool")
        })
        .count();
    let by_report =
        view.incoming(entry).filter(|(p, source)| *p == "object_refs" && source.object_type() == "report").count();
    by_relationship + by_report
}

/// The techniques an intrusion set, campaign, malware or tool uses (`uses` relationships), or a
/// report lists, as a matrix of their kill chain's phases (the chain most of them are in).
pub(crate) fn entity_matrix<'v>(
    view: &View<'v>,
    entry: Entry<'v>,
    columns: &Columns,
    root: &str,
) -> Option<KillChainPage> {
    let techniques: Vec<Entry<'v>> = match entry.object_type() {
        "intrusion-set" | "campaign" | "malware" | "tool" => view
            .relationships(entry)
            .filter(|(rel, other, outgoing)| {
                *outgoing
                    && rel.object.relationship_type.as_deref() == Some("uses")
                    && other.object_type() == "attack-pattern"
            })
            .map(|(_, other, _)| other)
            .collect(),
        "report" => view
            .outgoing(entry)
            .filter(|(p, target)| *p == "object_refs" && target.object_type() == "attack-pattern")
            .map(|(_, target)| target)
            .collect(),
        _ => return None,
    };
    let mut chains: BTreeMap<String, Vec<Placed<'v>>> = BTreeMap::new();
    for technique in techniques {
        for p in placed(technique) {
            chains.entry(p.chain.clone()).or_default().push(p);
        }
    }
    let (name, placed) =
        chains.into_iter().max_by_key(|(name, placed)| (placed.len(), std::cmp::Reverse(name.clone())))?;
    // Every technique here is used by the entity: all cells get the same full shade.
    let mut page = chain_page(view, columns, name, placed, &|_| 1, root);
    page.members_mut(&mut |m| m.heat = 5);
    Some(page)
}

/// One phase's cells: each technique once, by name, with its sub-techniques of this phase
/// under it (a sub-technique whose technique is not in this phase stands on its own).
fn phase_section<'v>(
    view: &View<'v>,
    name: String,
    tactic: Option<&TacticInfo>,
    mut entries: Vec<Cell<'v>>,
    uses: &dyn Fn(Entry<'_>) -> usize,
    root: &str,
) -> PhaseSection {
    entries.sort_by_cached_key(|(e, _)| super::connections::name_key(*e));
    entries.dedup_by_key(|(e, _)| e.index);
    let here: HashSet<_> = entries.iter().map(|(e, _)| e.index).collect();
    let parent_here = |e: Entry<'v>| view.parent_technique(e).filter(|p| here.contains(&p.index));
    let mut subs: HashMap<_, Vec<Member>> = HashMap::new();
    let mut members = Vec::new();
    for (entry, platforms) in entries {
        match parent_here(entry) {
            Some(parent) => subs.entry(parent.index).or_default().push(member(entry, platforms, true, uses, root)),
            None => members.push((entry.index, member(entry, platforms, false, uses, root))),
        }
    }
    let members = members
        .into_iter()
        .map(|(index, mut m)| {
            m.subs = subs.remove(&index).unwrap_or_default();
            m
        })
        .collect();
    PhaseSection {
        title: tactic.map_or_else(|| readable(&name), |t| t.name.clone()),
        tactic_id: tactic.map(|t| t.id.clone()),
        tactic_external_id: tactic.and_then(|t| t.external_id.clone()),
        name,
        members,
    }
}

fn member(
    entry: Entry<'_>,
    platforms: Vec<String>,
    sub: bool,
    uses: &dyn Fn(Entry<'_>) -> usize,
    root: &str,
) -> Member {
    let link = Link::to(entry, root);
    let external_id = entry.object.external_ids.first().map(|(_, id)| id.clone());
    let own = if sub { entry.object.display_name() } else { entry.display_name() };
    let says_id = external_id.as_deref().is_some_and(|id| own.starts_with(id));
    Member {
        id: entry.id().to_owned(),
        label: own.to_owned(),
        name: link.name,
        external_id: external_id.filter(|_| !says_id),
        uses: uses(entry),
        heat: 0,
        subs: Vec::new(),
        platforms,
    }
}

/// Where the columns come from: the ATT&CK matrices, the tactics by phase name, and the
/// configured order. Worked out once per build.
pub(crate) struct Columns {
    matrices: Vec<MatrixInfo>,
    tactics: HashMap<String, TacticInfo>,
    configured: Vec<String>,
}

struct MatrixInfo {
    name: String,
    /// Its tactics in column order, by phase name.
    tactics: Vec<(String, TacticInfo)>,
}

#[derive(Clone)]
struct TacticInfo {
    id: String,
    name: String,
    external_id: Option<String>,
}

impl MatrixInfo {
    fn rank(&self, phase: &str) -> Option<usize> {
        self.tactics.iter().position(|(p, _)| p == phase)
    }

    fn tactic(&self, phase: &str) -> Option<&TacticInfo> {
        self.tactics.iter().find(|(p, _)| p == phase).map(|(_, t)| t)
    }
}

impl Columns {
    /// A digest of the columns (pages that draw a matrix depend on them).
    pub(crate) fn digest(&self) -> [u8; 32] {
        use crate::audience::reads::text;
        let mut hasher = blake3::Hasher::new();
        let tactic = |hasher: &mut blake3::Hasher, phase: &str, t: &TacticInfo| {
            for part in [phase, &t.id, &t.name, t.external_id.as_deref().unwrap_or("\0")] {
                text(hasher, part);
            }
        };
        for matrix in &self.matrices {
            text(&mut hasher, &matrix.name);
            hasher.update(&(matrix.tactics.len() as u64).to_le_bytes());
            for (phase, t) in &matrix.tactics {
                tactic(&mut hasher, phase, t);
            }
        }
        let mut tactics: Vec<_> = self.tactics.iter().collect();
        tactics.sort_by(|a, b| a.0.cmp(b.0));
        hasher.update(&(tactics.len() as u64).to_le_bytes());
        for (phase, t) in tactics {
            tactic(&mut hasher, phase, t);
        }
        for name in &self.configured {
            text(&mut hasher, name);
        }
        *hasher.finalize().as_bytes()
    }

    /// The matrix whose tactics cover most of a chain's phases (ties: the one with fewer
    /// tactics the chain lacks, then the first by id); none when it covers none.
    fn matrix_for<'a>(&self, phases: impl Iterator<Item = &'a String> + Clone) -> Option<&MatrixInfo> {
        self.matrices
            .iter()
            .enumerate()
            .map(|(i, m)| {
                let covered = phases.clone().filter(|p| m.rank(p).is_some()).count();
                (covered, std::cmp::Reverse(m.tactics.len().saturating_sub(covered)), std::cmp::Reverse(i), m)
            })
            .filter(|(covered, ..)| *covered > 0)
            .max_by_key(|(covered, extra, i, _)| (*covered, *extra, *i))
            .map(|(.., m)| m)
    }
}

#[derive(Deserialize)]
struct Matrix {
    #[serde(default)]
    tactic_refs: Vec<String>,
}

#[derive(Deserialize)]
struct Tactic {
    x_mitre_shortname: Option<String>,
}

/// The matrices and tactics of the View, and the configured order (`[site.matrix] order`).
pub(crate) fn columns(view: &View<'_>, configured: &[String]) -> Columns {
    let info = |tactic: Entry<'_>| -> Option<(String, TacticInfo)> {
        let Tactic { x_mitre_shortname } = serde_json::from_str(&tactic.object.raw).ok()?;
        let info = TacticInfo {
            id: tactic.id().to_owned(),
            name: tactic.display_name().to_owned(),
            external_id: tactic.object.external_ids.first().map(|(_, id)| id.clone()),
        };
        Some((x_mitre_shortname?, info))
    };
    let mut tactics = HashMap::new();
    for tactic in view.entries().filter(|e| e.object_type() == "x-mitre-tactic" && e.retired().is_none()) {
        if let Some((phase, info)) = info(tactic) {
            tactics.entry(phase).or_insert(info);
        }
    }
    let matrices = view
        .entries()
        .filter(|e| e.object_type() == "x-mitre-matrix" && e.retired().is_none())
        .filter_map(|matrix| {
            let Matrix { tactic_refs } = serde_json::from_str(&matrix.object.raw).ok()?;
            let tactics = tactic_refs.iter().filter_map(|id| info(view.get(id)?)).collect();
            Some(MatrixInfo { name: matrix.display_name().to_owned(), tactics })
        })
        .collect();
    Columns { matrices, tactics, configured: configured.to_vec() }
}

/// What to call a kill chain without an ATT&CK matrix: the well-known ones by their names,
/// the others by their words.
fn chain_title(name: &str) -> String {
    match name {
        "mitre-attack" => "ATT&CK".into(),
        "mitre-mobile-attack" => "ATT&CK Mobile".into(),
        "mitre-ics-attack" => "ATT&CK for ICS".into(),
        "mitre-pre-attack" => "PRE-ATT&CK".into(),
        "lockheed" | "lockheed-martin" | "lockheed-martin-cyber-kill-chain" => {
            "Lockheed Martin Cyber Kill Chain".into()
        }
        _ => readable(name),
    }
}

/// `command-and-control` → "Command and Control".
pub(crate) fn readable(slug: &str) -> String {
    const SMALL: &[&str] = &["and", "or", "of", "on", "the", "to", "in", "for", "a"];
    slug.split('-')
        .filter(|w| !w.is_empty())
        .enumerate()
        .map(|(i, word)| {
            if i > 0 && SMALL.contains(&word) {
                return word.to_owned();
            }
            let mut chars = word.chars();
            chars.next().map(|c| c.to_uppercase().chain(chars).collect()).unwrap_or_default()
        })
        .collect::<Vec<String>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The plain definition `first_written_topological` must agree with: look through every
    /// number left for the lowest that none left must precede; on a cycle, the lowest left.
    fn plainly_ordered(count: usize, edges: &[(usize, usize)]) -> Vec<usize> {
        let mut left: Vec<usize> = (0..count).collect();
        let mut order = Vec::new();
        while !left.is_empty() {
            let free = left.iter().position(|p| !left.iter().any(|q| edges.contains(&(*q, *p)))).unwrap_or(0);
            order.push(left.remove(free));
        }
        order
    }

    #[test]
    fn phases_are_ordered_as_the_plain_definition_orders_them_cycles_included() {
        let mut below = crate::test_random::below(0x2545_f491_4f6c_dd1d);
        let mut next = |n: u64| below(n) as usize;
        for _ in 0..300 {
            let count = next(12);
            let edges: Vec<(usize, usize)> = (0..next(20))
                .map(|_| (next(count.max(1) as u64), next(count.max(1) as u64)))
                .filter(|(a, b)| a != b && *a < count && *b < count)
                .collect();
            assert_eq!(first_written_topological(count, &edges), plainly_ordered(count, &edges), "{count} {edges:?}");
        }
    }

    #[test]
    fn thousands_of_phases_written_in_reverse_are_ordered_at_once() {
        // Written last to first by one object each, in order by one more: looking through every
        // phase left for each placed took minutes at this size.
        let count = 20_000;
        let edges: Vec<(usize, usize)> = (1..count).map(|n| (count - n, count - n - 1)).collect();
        let order = first_written_topological(count, &edges);
        assert_eq!(order, (0..count).rev().collect::<Vec<_>>());
    }

    fn member(id: &str, uses: usize, platforms: &[&str], subs: Vec<Member>) -> Member {
        Member {
            id: id.into(),
            label: id.into(),
            name: id.into(),
            external_id: None,
            uses,
            heat: 0,
            subs,
            platforms: platforms.iter().map(|p| p.to_string()).collect(),
        }
    }

    fn page(phases: Vec<(&str, Vec<Member>)>) -> KillChainPage {
        let phases = phases
            .into_iter()
            .map(|(name, members)| PhaseSection {
                name: name.into(),
                title: readable(name),
                tactic_id: None,
                tactic_external_id: None,
                members,
            })
            .collect();
        KillChainPage::new("k".into(), "K".into(), phases)
    }

    #[test]
    fn phase_names_read_as_titles() {
        assert_eq!(readable("command-and-control"), "Command and Control");
        assert_eq!(readable("initial-access"), "Initial Access");
        assert_eq!(readable("actions-on-objectives"), "Actions on Objectives");
        assert_eq!(chain_title("mitre-attack"), "ATT&CK");
        assert_eq!(chain_title("my-chain"), "My Chain");
    }

    #[test]
    fn filters_keep_a_technique_for_its_sub_techniques_and_drop_empty_columns() {
        let full = page(vec![
            ("a", vec![member("t1", 0, &["Windows"], vec![member("t1.1", 2, &["Linux"], vec![])])]),
            ("b", vec![member("t2", 0, &["Windows"], vec![]), member("t1", 0, &["Windows"], vec![])]),
        ]);
        assert_eq!((full.techniques, full.sub_techniques, full.used), (2, 1, 1));
        let labels: Vec<&str> = full.platforms.iter().map(|f| f.slug.as_str()).collect();
        assert_eq!(labels, ["linux", "windows"]);
        let used = full.filtered("used".into(), &|m| m.uses > 0);
        assert_eq!(used.phases.len(), 1);
        assert_eq!(used.phases[0].members[0].subs.len(), 1);
        let filters: Vec<String> = full.filters().map(|(path, ..)| path).collect();
        assert_eq!(filters, ["used/", "platform/linux/", "platform/windows/"]);
        assert_eq!(slug("Network Devices"), "network-devices");
        assert_eq!(slug("Office Suite "), "office-suite");
    }

    #[test]
    fn a_matrix_naming_thousands_of_platforms_gets_copies_for_those_with_the_most_techniques() {
        // Technique n runs on platform n, and the first ten techniques also on "Common".
        let members = (0..4000)
            .map(|n| {
                let own = format!("p{n:04}");
                let platforms: Vec<&str> = if n < 10 { vec![&own, "Common"] } else { vec![&own] };
                member(&format!("t{n}"), 0, &platforms, vec![])
            })
            .collect();
        let full = page(vec![("a", members)]);
        assert_eq!((full.platforms.len(), full.more_platforms), (FILTERED_PLATFORMS, 4001 - FILTERED_PLATFORMS));
        let slugs: Vec<&str> = full.platforms.iter().map(|f| f.slug.as_str()).collect();
        assert_eq!(slugs[0], "common", "the platform with the most techniques first, then by name: {slugs:?}");
        assert_eq!(slugs[1..4], ["p0000", "p0001", "p0002"]);
        let filters: Vec<(String, KillChainPage)> = full.filters().map(|(path, _, page)| (path, page)).collect();
        assert_eq!(filters.len(), FILTERED_PLATFORMS);
        assert_eq!(filters[0].0, "platform/common/");
        assert_eq!(filters[0].1.techniques, 10);
        assert!(filters.iter().all(|(_, page)| page.platforms.is_empty()), "a copy lists no platforms of its own");
    }

    #[test]
    fn phases_follow_the_order_objects_list_them_in_then_the_order_they_are_written() {
        let file = std::path::Path::new("a.json");
        let at = |phase: &str, offset: usize, position: usize| (phase.to_owned(), (file, offset, position));
        let order = |placed: Vec<(String, (&'static std::path::Path, usize, usize))>| {
            let mut first: Vec<(String, (&std::path::Path, usize, usize))> = placed;
            first.sort_by_key(|(_, w)| *w);
            first
        };
        // One object lists entry then drive-away; another, written earlier, only drive-away.
        let placed = order(vec![at("drive-away", 0, 0), at("target", 5, 0), at("entry", 9, 0), at("drive-away", 9, 1)]);
        assert_eq!(written_order_of(&placed), ["target", "entry", "drive-away"]);
        assert_eq!(known_order("mitre-attack")[0], "reconnaissance");
    }

    fn written_order_of(placed: &[(String, (&std::path::Path, usize, usize))]) -> Vec<String> {
        super::written_order_from(placed.iter().map(|(phase, w)| (phase.as_str(), *w)))
    }

    #[test]
    fn heat_grows_on_a_log_scale() {
        assert_eq!(heat(0, 10), 0);
        assert_eq!(heat(1, 1), 5);
        assert_eq!(heat(10, 10), 5);
        assert_eq!(heat(1, 100), 1);
    }
}
