//! The one registry of diagnostic codes: each code has exactly one meaning.
//!
//! Codes that mirror a cfn-lint rule ID (`E1001`, `E3030` ...) keep cfn-lint's meaning;
//! `I0001`/`I0002` and the `PC` codes are pcstack's own, `D` codes come from deploy's
//! parameter checks. The README's "Diagnostic codes" table is generated from this registry
//! (`cargo run -p xtask -- codes`), and a test keeps it in sync.

use std::fmt;

macro_rules! codes {
    ($($(#[$doc:meta])* $variant:ident = $code:literal, $description:literal;)*) => {
        /// A diagnostic code. Displays as its string (`E1001`).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum Code {
            $($(#[$doc])* #[doc = concat!("`", $code, "`: ", $description, ".")] $variant,)*
        }

        impl Code {
            /// Every code, in registry order.
            pub const ALL: &'static [Code] = &[$(Code::$variant),*];

            /// The code as printed, e.g. `E1001`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(Code::$variant => $code,)*
                }
            }

            /// What the code means, in one line.
            pub const fn description(self) -> &'static str {
                match self {
                    $(Code::$variant => $description,)*
                }
            }
        }
    };
}

codes! {
    // Template structure (cfn-lint E0xxx/E1xxx where the meaning matches).
    TemplateStructure = "E1001", "the template's sections, keys or logical IDs break CloudFormation's basic template format";
    TemplateSize = "E1002", "the template is larger than CloudFormation accepts (1,000,000 bytes from S3)";
    TemplateBodySize = "I1002", "the template is larger than an inline request body (51,200 bytes), so deploy uploads it to S3";
    DescriptionSize = "E1003", "the template Description is longer than 1024 bytes";
    DescriptionType = "E1004", "the template Description is not a string";
    GetAtt = "E1010", "an Fn::GetAtt is malformed, or names a missing resource or attribute";
    FindInMap = "E1011", "an Fn::FindInMap is malformed, or names a missing mapping or key";
    Sub = "E1019", "an Fn::Sub is malformed";
    Ref = "E1020", "a Ref or an Fn::Sub variable names nothing the template declares";
    If = "E1028", "an Fn::If is malformed";
    ParameterLimit = "E2010", "the template declares more parameters than CloudFormation allows";
    ResourceStructure = "E3001", "a resource is malformed: no Type, not a mapping, or an unknown attribute";
    UnknownProperty = "E3002", "a resource property is not one its type's schema declares";
    RequiredProperty = "E3003", "a required resource property is missing";
    DependencyCycle = "E3004", "resources depend on each other in a cycle";
    DependsOn = "E3005", "a DependsOn entry is malformed or names no resource of the template";
    UnknownType = "E3006", "a resource type does not exist, is not available in the target Region, or needs a transform the template does not declare";
    ResourceLimit = "E3010", "the template declares more resources than CloudFormation allows";
    ValueType = "E3012", "a property value is not of the type its schema declares (a list where a string belongs, a list or mapping where a number belongs)";
    AnyOf = "E3017", "a property value fits none of its schema's anyOf alternatives";
    OneOf = "E3018", "a property value fits none of its schema's oneOf alternatives";
    AllowedValues = "E3030", "a property value is not one of the schema's allowed values";
    Pattern = "E3031", "a property value does not match the schema's pattern";
    ItemCount = "E3032", "a list property has fewer or more items than the schema allows";
    Length = "E3033", "a string property is shorter or longer than the schema allows";
    NumberRange = "E3034", "a number property is outside the schema's range";
    DeletionPolicy = "E3035", "a DeletionPolicy or UpdateReplacePolicy value is not one CloudFormation accepts";
    OutputValue = "E6002", "an output has no Value";
    OutputLimit = "E6010", "the template declares more outputs than CloudFormation allows";
    MappingLimit = "E7010", "the template declares more mappings than CloudFormation allows";
    UndeclaredCondition = "E8002", "a Condition names no condition the template declares";
    DuplicateLogicalId = "PC020", "a logical ID is declared twice in one template";
    MappingAttributeLimit = "PC021", "a mapping has more attributes than CloudFormation allows";
    PropertiesNotJson = "PC022", "a resource's properties could not be serialized to JSON";
    Function = "PC023", "an intrinsic function is unknown, or its arguments are not the shape the template reference defines";
    DuplicateExport = "PC024", "two outputs export the same name";
    UncheckedType = "PC030", "a resource type is not in pcstack's type table (third-party, private or newer than the pinned schemas), so only CloudFormation checks its properties";
    Transformed = "PC031", "a macro transforms the template, so CloudFormation checks what the macro may change";
    // Values pcstack cannot check at synth time.
    ExpressionProperty = "I0001", "a property is an expression, so CloudFormation checks its schema constraints at deploy time";
    ExpressionRule = "I0002", "a value an AWS rule checks is an expression; the template's constraints or the pre-deploy check cover it";
    // Stacks and their configs.
    UnknownStack = "PC000", "the stack name is not a built-in stack";
    ConfigSchema = "PC001", "the config file does not parse against the stack's config schema";
    VpcName = "PC002", "the VPC name is empty or longer than 200 characters";
    Tag = "PC003", "a tag key or value breaks the resource tag rules";
    ConfigUnreadable = "PC004", "the config file cannot be read";
    ConfigLimit = "PC006", "the config file is larger or nests deeper than pcstack reads (1 MiB, 64 levels)";
    DuplicateEnvName = "PC007", "two outputs have the same environment variable name";
    ActedOnEnvName = "PC008", "an output's environment variable is a name a shell, loader or runtime acts on (PATH, LD_*, ...)";
    DeleteRemoval = "PC010", "a resource holding data is deleted with the stack (removal: Delete)";
    // FSx for Lustre.
    LustreStorageCapacity = "PC101", "the Lustre storage capacity is not one the deployment and storage type allow";
    LustreThroughput = "PC102", "the Lustre per-unit storage throughput is not one the deployment and storage type allow";
    LustreCompression = "PC103", "the Lustre data compression type is not LZ4 or NONE";
    LustreVersion = "PC104", "the Lustre version is not one the stack or its associations support";
    LustreAssociationBackups = "PC105", "automatic backups are set on a Lustre file system with data repository associations";
    LustreAssociationDeployment = "PC106", "a SCRATCH_1 Lustre file system has data repository associations";
    LustreCapacityAboveMax = "PC107", "the Lustre capacity default is above the largest capacity the Capacity parameter offers";
    LustreMountPoint = "PC108", "the Lustre mount point is not an absolute path";
    LustreDeployment = "PC109", "the Lustre deployment type is not one FSx or the stack offers";
    LustreMetadata = "PC110", "the Lustre metadata configuration is not one FSx accepts for the deployment type";
    // FSx for OpenZFS and FSx in general.
    OpenZfsDeployment = "PC111", "the OpenZFS deployment type is not one FSx offers";
    OpenZfsThroughput = "PC112", "the OpenZFS throughput capacity is not one the deployment type allows";
    OpenZfsStorageCapacity = "PC113", "the OpenZFS storage capacity is outside the allowed range";
    MaintenanceWindow = "PC114", "the FSx weekly maintenance start time is not d:HH:MM";
    BackupStartTime = "PC115", "the FSx daily backup start time is not HH:MM";
    BackupRetention = "PC116", "the FSx automatic backup retention is outside 0 to 90 days";
    LustreEfa = "PC117", "an EFA-enabled Lustre file system lacks what FSx requires of one";
    OpenZfsRegion = "PC118", "the OpenZFS deployment type is not offered in the Region";
    OpenZfsSubnets = "PC119", "an OpenZFS file system has the wrong number of subnets for its deployment type";
    // Data repository associations.
    AssociationCount = "PC121", "a Lustre file system has more data repository associations than FSx allows";
    AssociationFileSystemPath = "PC122", "an association's file system path is not one FSx accepts";
    AssociationDataRepositoryPath = "PC123", "an association's data repository path is not s3://bucket/prefix/ of an allowed length";
    AssociationEvents = "PC124", "an association's import or export events are unknown or repeated";
    AssociationPathsNest = "PC125", "two associations' file system paths are equal or nest";
    AssociationPrefixesNest = "PC126", "two associations' data repository paths are equal or nest";
    AssociationPrefix = "PC127", "an association's S3 prefix is not of the form data/";
    AssociationEnv = "PC128", "an association's environment variable name is not `[A-Z_][A-Z0-9_]*`";
    DuplicateAssociationId = "PC129", "two associations have the same ID";
    // S3 and ECR.
    BucketName = "PC131", "a bucket name breaks the S3 naming rules";
    BucketNameVariables = "PC132", "a bucket name uses a variable other than AWS::AccountId, AWS::Region or AWS::Partition";
    LogBucketSameAsData = "PC133", "the log bucket has the data bucket's name";
    LogRetention = "PC134", "the log retention is outside 1 to 3650 days";
    RepositoryName = "PC141", "an ECR repository name breaks ECR's naming rules";
    ImageTag = "PC142", "an image tag breaks the Docker tag rules ECR images are pushed with";
    // Networks.
    CidrSyntax = "PC151", "a CIDR block is not a.b.c.d/n";
    VpcBlockSize = "PC152", "a VPC CIDR block is not between /16 and /28";
    SecondaryBlock = "PC153", "the secondary CIDR block may not be added to a VPC with that primary block";
    SubnetInBlock = "PC154", "a subnet does not lie inside its VPC block";
    CidrFit = "PC155", "an Fn::Cidr asks for more or larger blocks than the block holds";
    SecondZone = "PC156", "the second Availability Zone is missing where it is needed, or is the first zone";
    // Names.
    StackName = "PC161", "a stack name breaks CloudFormation's stack name rules";
    Region = "PC162", "a Region is not an existing AWS Region code such as us-east-1";
    AvailabilityZone = "PC163", "an Availability Zone is not a zone name, or not in the Region";
    ExportName = "PC164", "an export name uses characters CloudFormation exports do not allow";
    // The ParallelCluster cluster configuration (`pcstack cluster-config`, config `cluster`).
    ClusterName = "PC171", "a cluster queue or compute resource name breaks ParallelCluster's naming rules";
    InstanceType = "PC172", "an instance type is not an EC2 instance type name such as g5.8xlarge";
    EfaInstanceType = "PC173", "a compute instance type is not one of the EFA-capable types pcstack lists";
    ComputeCount = "PC174", "a compute resource's MinCount or MaxCount is out of range";
    CapacityType = "PC175", "a queue's capacity type, capacity reservation and placement group do not fit together";
    ClusterShape = "PC176", "a cluster has too few or too many queues or compute resources, or repeats a name";
    RootVolumeSize = "PC177", "a root volume size is outside what EBS and ParallelCluster allow";
    ClusterOs = "PC178", "the cluster's operating system is not one ParallelCluster supports";
    ClusterInput = "PC179", "the stack outputs a cluster configuration is made from are unreadable, or lack or malform a value it needs";
    // Assets: files deploy uploads to the stack's bucket.
    AssetKey = "PC181", "an asset's S3 key is not a key pcstack uploads to";
    DuplicateAsset = "PC182", "two assets have the same S3 key or environment variable name";
    AssetFile = "PC183", "an asset's local file is missing, not a regular file, or too large";
    AssetEnv = "PC184", "an asset's environment variable name is not `[A-Z_][A-Z0-9_]*`";
    AssetOutput = "PC185", "the template declares no output for an asset's environment variable";
    // Deploy's stack-level flags.
    StackTags = "PC191", "`--tags` gives a key twice or more tags than a stack takes (50)";
    RoleArn = "PC192", "`--role-arn` is not an IAM role ARN";
    NotificationArns = "PC193", "`--notification-arns` lists something other than SNS topic ARNs, a topic twice, or more than 5";
    StackPolicy = "PC194", "the `--stack-policy` file is unreadable, larger than 16,384 bytes, or not a stack policy document";
    // Deploy-time parameter values.
    ParameterNotWholeNumber = "PC201", "a Number parameter value is not a whole number";
    UndeclaredParameter = "D2001", "a parameter value is given for a parameter the template does not declare";
    MissingParameter = "D2002", "a parameter without a Default is not given for a new stack";
    ParameterValue = "D2003", "a parameter value breaks the template's constraints for it";
    ParameterContradictsConfig = "D2004", "a parameter value given for a built-in stack contradicts the config field that sets it";
}

impl Code {
    /// The code whose string is `s`, if it is registered.
    pub fn parse(s: &str) -> Option<Code> {
        Code::ALL.iter().copied().find(|c| c.as_str() == s)
    }
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl PartialEq<&str> for Code {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_code_is_unique_and_described() {
        let mut seen = HashSet::new();
        for c in Code::ALL {
            assert!(seen.insert(c.as_str()), "{} means two things", c.as_str());
            assert!(!c.description().is_empty(), "{} has no description", c);
            let s = c.as_str();
            let (prefix, digits) = s.split_at(s.find(|ch: char| ch.is_ascii_digit()).unwrap_or(0));
            assert!(["E", "W", "I", "PC", "D"].contains(&prefix), "{s}");
            assert!(
                digits.len() >= 3 && digits.bytes().all(|b| b.is_ascii_digit()),
                "{s}"
            );
        }
    }

    #[test]
    fn parse_round_trips() {
        for c in Code::ALL {
            assert_eq!(Code::parse(c.as_str()), Some(*c));
        }
        assert_eq!(Code::parse("X1"), None);
    }
}
