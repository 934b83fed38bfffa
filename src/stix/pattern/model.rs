//! The cyber-observable model the linter checks object paths against: every STIX 2.1 (and
//! 2.0) cyber-observable type, its properties, its predefined extensions, and the shape of each
//! property (plain value, list, dictionary, reference, nested object).
//!
//! Only data lives here; walking a path through it is the linter's job. A property marked
//! 2.0-only or 2.1-only is known in that dialect alone (`file:created` became `file:ctime`).

use super::Dialect;

/// What a property holds, which decides what may follow it in an object path.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Shape {
    /// A string, number, boolean or timestamp: nothing may follow.
    Scalar,
    /// A list of scalars: `[n]` / `[*]` may follow.
    List,
    /// An open dictionary: any key may follow, and anything after it.
    Dict,
    /// A `hashes` dictionary: the key is a hash algorithm.
    Hashes,
    /// `*_ref`: the referenced object's properties may follow; its type is not known here.
    Ref,
    /// `*_refs`: a list of references.
    Refs,
    /// A nested object with known properties.
    Object(&'static [Prop]),
    /// A list of nested objects.
    ListOf(&'static [Prop]),
    /// The `extensions` dictionary, keyed by extension name.
    Extensions,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Since {
    Both,
    Only20,
    Only21,
}

impl Since {
    pub fn includes(self, dialect: Dialect) -> bool {
        match self {
            Since::Both => true,
            Since::Only20 => dialect == Dialect::Stix20,
            Since::Only21 => dialect == Dialect::Stix21,
        }
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct Prop {
    pub name: &'static str,
    pub shape: Shape,
    pub since: Since,
}

pub(crate) struct ObservableType {
    pub name: &'static str,
    pub props: &'static [Prop],
    pub extensions: &'static [Extension],
}

pub(crate) struct Extension {
    pub name: &'static str,
    pub props: &'static [Prop],
}

const fn p(name: &'static str, shape: Shape) -> Prop {
    Prop { name, shape, since: Since::Both }
}

const fn p20(name: &'static str, shape: Shape) -> Prop {
    Prop { name, shape, since: Since::Only20 }
}

const fn p21(name: &'static str, shape: Shape) -> Prop {
    Prop { name, shape, since: Since::Only21 }
}

use Shape::{Dict, Extensions, Hashes, List, ListOf, Object, Ref, Refs, Scalar};

/// Properties every cyber-observable has.
pub(crate) const COMMON: &[Prop] = &[
    p("type", Scalar),
    p("extensions", Extensions),
    p21("id", Scalar),
    p21("spec_version", Scalar),
    p21("object_marking_refs", Refs),
    p21("granular_markings", ListOf(GRANULAR_MARKING)),
    p21("defanged", Scalar),
];

const GRANULAR_MARKING: &[Prop] = &[p("lang", Scalar), p("marking_ref", Ref), p("selectors", List)];

const MIME_PART: &[Prop] =
    &[p("body", Scalar), p("body_raw_ref", Ref), p("content_type", Scalar), p("content_disposition", Scalar)];

const REGISTRY_VALUE: &[Prop] = &[p("name", Scalar), p("data", Scalar), p("data_type", Scalar)];

const ALTERNATE_DATA_STREAM: &[Prop] = &[p("name", Scalar), p("hashes", Hashes), p("size", Scalar)];

const PE_SECTION: &[Prop] = &[p("name", Scalar), p("size", Scalar), p("entropy", Scalar), p("hashes", Hashes)];

const PE_OPTIONAL_HEADER: &[Prop] = &[
    p("magic_hex", Scalar),
    p("major_linker_version", Scalar),
    p("minor_linker_version", Scalar),
    p("size_of_code", Scalar),
    p("size_of_initialized_data", Scalar),
    p("size_of_uninitialized_data", Scalar),
    p("address_of_entry_point", Scalar),
    p("base_of_code", Scalar),
    p("base_of_data", Scalar),
    p("image_base", Scalar),
    p("section_alignment", Scalar),
    p("file_alignment", Scalar),
    p("major_os_version", Scalar),
    p("minor_os_version", Scalar),
    p("major_image_version", Scalar),
    p("minor_image_version", Scalar),
    p("major_subsystem_version", Scalar),
    p("minor_subsystem_version", Scalar),
    p("win32_version_value_hex", Scalar),
    p("size_of_image", Scalar),
    p("size_of_headers", Scalar),
    p("checksum_hex", Scalar),
    p("subsystem_hex", Scalar),
    p("dll_characteristics_hex", Scalar),
    p("size_of_stack_reserve", Scalar),
    p("size_of_stack_commit", Scalar),
    p("size_of_heap_reserve", Scalar),
    p("size_of_heap_commit", Scalar),
    p("loader_flags_hex", Scalar),
    p("number_of_rva_and_sizes", Scalar),
    p("hashes", Hashes),
];

const X509_V3_EXTENSIONS: &[Prop] = &[
    p("basic_constraints", Scalar),
    p("name_constraints", Scalar),
    p("policy_constraints", Scalar),
    p("key_usage", Scalar),
    p("extended_key_usage", Scalar),
    p("subject_key_identifier", Scalar),
    p("authority_key_identifier", Scalar),
    p("subject_alternative_name", Scalar),
    p("issuer_alternative_name", Scalar),
    p("subject_directory_attributes", Scalar),
    p("crl_distribution_points", Scalar),
    p("inhibit_any_policy", Scalar),
    p("private_key_usage_period_not_before", Scalar),
    p("private_key_usage_period_not_after", Scalar),
    p("certificate_policies", Scalar),
    p("policy_mappings", Scalar),
];

const FILE_EXTENSIONS: &[Extension] = &[
    Extension { name: "archive-ext", props: &[p("contains_refs", Refs), p("comment", Scalar), p20("version", Scalar)] },
    Extension {
        name: "ntfs-ext",
        props: &[p("sid", Scalar), p("alternate_data_streams", ListOf(ALTERNATE_DATA_STREAM))],
    },
    Extension {
        name: "pdf-ext",
        props: &[
            p("version", Scalar),
            p("is_optimized", Scalar),
            p("document_info_dict", Dict),
            p("pdfid0", Scalar),
            p("pdfid1", Scalar),
        ],
    },
    Extension {
        name: "raster-image-ext",
        props: &[
            p("image_height", Scalar),
            p("image_width", Scalar),
            p("bits_per_pixel", Scalar),
            p20("image_compression_algorithm", Scalar),
            p("exif_tags", Dict),
        ],
    },
    Extension {
        name: "windows-pebinary-ext",
        props: &[
            p("pe_type", Scalar),
            p("imphash", Scalar),
            p("machine_hex", Scalar),
            p("number_of_sections", Scalar),
            p("time_date_stamp", Scalar),
            p("pointer_to_symbol_table_hex", Scalar),
            p("number_of_symbols", Scalar),
            p("size_of_optional_header", Scalar),
            p("characteristics_hex", Scalar),
            p("file_header_hashes", Hashes),
            p("optional_header", Object(PE_OPTIONAL_HEADER)),
            p("sections", ListOf(PE_SECTION)),
        ],
    },
];

const NETWORK_TRAFFIC_EXTENSIONS: &[Extension] = &[
    Extension {
        name: "http-request-ext",
        props: &[
            p("request_method", Scalar),
            p("request_value", Scalar),
            p("request_version", Scalar),
            p("request_header", Dict),
            p("message_body_length", Scalar),
            p("message_body_data_ref", Ref),
        ],
    },
    Extension { name: "icmp-ext", props: &[p("icmp_type_hex", Scalar), p("icmp_code_hex", Scalar)] },
    Extension {
        name: "socket-ext",
        props: &[
            p("address_family", Scalar),
            p("is_blocking", Scalar),
            p("is_listening", Scalar),
            p20("protocol_family", Scalar),
            p("options", Dict),
            p("socket_type", Scalar),
            p("socket_descriptor", Scalar),
            p("socket_handle", Scalar),
        ],
    },
    Extension { name: "tcp-ext", props: &[p("src_flags_hex", Scalar), p("dst_flags_hex", Scalar)] },
];

const PROCESS_EXTENSIONS: &[Extension] = &[
    Extension {
        name: "windows-process-ext",
        props: &[
            p("aslr_enabled", Scalar),
            p("dep_enabled", Scalar),
            p("priority", Scalar),
            p("owner_sid", Scalar),
            p("window_title", Scalar),
            p("startup_info", Dict),
            p21("integrity_level", Scalar),
        ],
    },
    Extension {
        name: "windows-service-ext",
        props: &[
            p("service_name", Scalar),
            p("descriptions", List),
            p("display_name", Scalar),
            p("group_name", Scalar),
            p("start_type", Scalar),
            p("service_dll_refs", Refs),
            p("service_type", Scalar),
            p("service_status", Scalar),
        ],
    },
];

const USER_ACCOUNT_EXTENSIONS: &[Extension] = &[Extension {
    name: "unix-account-ext",
    props: &[p("gid", Scalar), p("groups", List), p("home_dir", Scalar), p("shell", Scalar)],
}];

const ADDRESS: &[Prop] = &[p("value", Scalar), p("resolves_to_refs", Refs), p("belongs_to_refs", Refs)];

/// Every cyber-observable type of STIX 2.1 (2.0 has the same types).
pub(crate) const TYPES: &[ObservableType] = &[
    ObservableType {
        name: "artifact",
        props: &[
            p("mime_type", Scalar),
            p("payload_bin", Scalar),
            p("url", Scalar),
            p("hashes", Hashes),
            p21("encryption_algorithm", Scalar),
            p21("decryption_key", Scalar),
        ],
        extensions: &[],
    },
    ObservableType {
        name: "autonomous-system",
        props: &[p("number", Scalar), p("name", Scalar), p("rir", Scalar)],
        extensions: &[],
    },
    ObservableType {
        name: "directory",
        props: &[
            p("path", Scalar),
            p("path_enc", Scalar),
            p21("ctime", Scalar),
            p21("mtime", Scalar),
            p21("atime", Scalar),
            p20("created", Scalar),
            p20("modified", Scalar),
            p20("accessed", Scalar),
            p("contains_refs", Refs),
        ],
        extensions: &[],
    },
    ObservableType { name: "domain-name", props: &[p("value", Scalar), p("resolves_to_refs", Refs)], extensions: &[] },
    ObservableType {
        name: "email-addr",
        props: &[p("value", Scalar), p("display_name", Scalar), p("belongs_to_ref", Ref)],
        extensions: &[],
    },
    ObservableType {
        name: "email-message",
        props: &[
            p("is_multipart", Scalar),
            p("date", Scalar),
            p("content_type", Scalar),
            p("from_ref", Ref),
            p("sender_ref", Ref),
            p("to_refs", Refs),
            p("cc_refs", Refs),
            p("bcc_refs", Refs),
            p21("message_id", Scalar),
            p("subject", Scalar),
            p("received_lines", List),
            p("additional_header_fields", Dict),
            p("body", Scalar),
            p("body_multipart", ListOf(MIME_PART)),
            p("raw_email_ref", Ref),
        ],
        extensions: &[],
    },
    ObservableType {
        name: "file",
        props: &[
            p("hashes", Hashes),
            p("size", Scalar),
            p("name", Scalar),
            p("name_enc", Scalar),
            p("magic_number_hex", Scalar),
            p("mime_type", Scalar),
            p21("ctime", Scalar),
            p21("mtime", Scalar),
            p21("atime", Scalar),
            p20("created", Scalar),
            p20("modified", Scalar),
            p20("accessed", Scalar),
            p("parent_directory_ref", Ref),
            p20("is_encrypted", Scalar),
            p20("encryption_algorithm", Scalar),
            p20("decryption_key", Scalar),
            p("contains_refs", Refs),
            p("content_ref", Ref),
        ],
        extensions: FILE_EXTENSIONS,
    },
    ObservableType { name: "ipv4-addr", props: ADDRESS, extensions: &[] },
    ObservableType { name: "ipv6-addr", props: ADDRESS, extensions: &[] },
    ObservableType { name: "mac-addr", props: &[p("value", Scalar)], extensions: &[] },
    ObservableType { name: "mutex", props: &[p("name", Scalar)], extensions: &[] },
    ObservableType {
        name: "network-traffic",
        props: &[
            p("start", Scalar),
            p("end", Scalar),
            p("is_active", Scalar),
            p("src_ref", Ref),
            p("dst_ref", Ref),
            p("src_port", Scalar),
            p("dst_port", Scalar),
            p("protocols", List),
            p("src_byte_count", Scalar),
            p("dst_byte_count", Scalar),
            p("src_packets", Scalar),
            p("dst_packets", Scalar),
            p("ipfix", Dict),
            p("src_payload_ref", Ref),
            p("dst_payload_ref", Ref),
            p("encapsulates_refs", Refs),
            p("encapsulated_by_ref", Ref),
        ],
        extensions: NETWORK_TRAFFIC_EXTENSIONS,
    },
    ObservableType {
        name: "process",
        props: &[
            p("is_hidden", Scalar),
            p("pid", Scalar),
            p20("name", Scalar),
            p20("created", Scalar),
            p21("created_time", Scalar),
            p("cwd", Scalar),
            p20("arguments", List),
            p("command_line", Scalar),
            p("environment_variables", Dict),
            p("opened_connection_refs", Refs),
            p("creator_user_ref", Ref),
            p20("binary_ref", Ref),
            p21("image_ref", Ref),
            p("parent_ref", Ref),
            p("child_refs", Refs),
        ],
        extensions: PROCESS_EXTENSIONS,
    },
    ObservableType {
        name: "software",
        props: &[
            p("name", Scalar),
            p("cpe", Scalar),
            p21("swid", Scalar),
            p("languages", List),
            p("vendor", Scalar),
            p("version", Scalar),
        ],
        extensions: &[],
    },
    ObservableType { name: "url", props: &[p("value", Scalar)], extensions: &[] },
    ObservableType {
        name: "user-account",
        props: &[
            p("user_id", Scalar),
            p21("credential", Scalar),
            p("account_login", Scalar),
            p("account_type", Scalar),
            p("display_name", Scalar),
            p("is_service_account", Scalar),
            p("is_privileged", Scalar),
            p("can_escalate_privs", Scalar),
            p("is_disabled", Scalar),
            p("account_created", Scalar),
            p("account_expires", Scalar),
            p21("credential_last_changed", Scalar),
            p20("password_last_changed", Scalar),
            p("account_first_login", Scalar),
            p("account_last_login", Scalar),
        ],
        extensions: USER_ACCOUNT_EXTENSIONS,
    },
    ObservableType {
        name: "windows-registry-key",
        props: &[
            p("key", Scalar),
            p("values", ListOf(REGISTRY_VALUE)),
            p20("modified", Scalar),
            p21("modified_time", Scalar),
            p("creator_user_ref", Ref),
            p("number_of_subkeys", Scalar),
        ],
        extensions: &[],
    },
    ObservableType {
        name: "x509-certificate",
        props: &[
            p("is_self_signed", Scalar),
            p("hashes", Hashes),
            p("version", Scalar),
            p("serial_number", Scalar),
            p("signature_algorithm", Scalar),
            p("issuer", Scalar),
            p("validity_not_before", Scalar),
            p("validity_not_after", Scalar),
            p("subject", Scalar),
            p("subject_public_key_algorithm", Scalar),
            p("subject_public_key_modulus", Scalar),
            p("subject_public_key_exponent", Scalar),
            p("x509_v3_extensions", Object(X509_V3_EXTENSIONS)),
        ],
        extensions: &[],
    },
];

pub(crate) fn observable_type(name: &str) -> Option<&'static ObservableType> {
    TYPES.iter().find(|t| t.name == name)
}

/// A property among `props` (or the common ones when `with_common`) known in `dialect`.
pub(crate) fn find_prop(
    props: &'static [Prop],
    with_common: bool,
    name: &str,
    dialect: Dialect,
) -> Option<&'static Prop> {
    let common: &'static [Prop] = if with_common { COMMON } else { &[] };
    props.iter().chain(common).find(|p| p.name == name && p.since.includes(dialect))
}

/// Custom object types: `x-` prefixed.
pub(crate) fn is_custom_type(name: &str) -> bool {
    name.starts_with("x-")
}

/// Custom properties: `x_` prefixed.
pub(crate) fn is_custom_property(name: &str) -> bool {
    name.starts_with("x_")
}

/// Custom extensions: `x-` prefixed (2.0) or an extension definition id (2.1).
pub(crate) fn is_custom_extension(name: &str) -> bool {
    name.starts_with("x-") || name.starts_with("extension-definition--")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renamed_properties_belong_to_their_version() {
        let file = observable_type("file").unwrap();
        assert!(find_prop(file.props, true, "ctime", Dialect::Stix21).is_some());
        assert!(find_prop(file.props, true, "ctime", Dialect::Stix20).is_none());
        assert!(find_prop(file.props, true, "created", Dialect::Stix20).is_some());
        assert!(find_prop(file.props, true, "defanged", Dialect::Stix21).is_some());
    }

    #[test]
    fn there_are_eighteen_observable_types() {
        assert_eq!(TYPES.len(), 18);
    }
}
