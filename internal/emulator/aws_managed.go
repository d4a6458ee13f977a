package emulator

import "time"

// awsManaged is a small catalogue of real AWS-managed policies, keyed by ARN,
// so that attachments to them behave as in AWS while unknown
// arn:aws:iam::aws:policy/… ARNs are NoSuchEntity. Documents of the small
// policies follow the published ones; the very large ones (ReadOnlyAccess,
// AmazonEBSCSIDriverPolicy) are shortened, and policy ids, versions and dates
// are illustrative. That only matters to a caller that reads them.
// The catalogue is keyed by path and name: the ARN's partition is the
// caller's (arn:<partition>:iam::aws:policy/...).
var awsManaged = map[string]*policy{}

func init() {
	type entry struct {
		path, name, id, version, created, doc string
	}
	for _, m := range []entry{
		{"/", "AdministratorAccess", "ANPAIWMBCKSKIEE64ZLYK", "v1", "2015-02-06T18:39:46Z",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}`},
		{"/", "ReadOnlyAccess", "ANPAILL3HVNFSB6DCOWYQ", "v1", "2015-02-06T18:39:48Z",
			`{"Version":"2012-10-17","Statement":[{"Sid":"ReadOnlyActions","Effect":"Allow","Action":["s3:Get*","s3:List*","iam:Get*","iam:List*","ec2:Describe*","eks:Describe*","eks:List*","sqs:Get*","sqs:List*","dynamodb:Describe*","dynamodb:Get*","dynamodb:List*","athena:Get*","athena:List*","cloudwatch:Describe*","cloudwatch:Get*","cloudwatch:List*","logs:Describe*","logs:Get*"],"Resource":"*"}]}`},
		{"/", "AmazonS3ReadOnlyAccess", "ANPAIZTJ4DXE7G6AGAE6M", "v3", "2015-02-06T18:40:59Z",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*","s3:Describe*","s3-object-lambda:Get*","s3-object-lambda:List*"],"Resource":"*"}]}`},
		{"/", "AmazonAthenaFullAccess", "ANPAIPJMLMD4C7RYZ6XCK", "v1", "2016-09-13T00:13:03Z",
			`{"Version":"2012-10-17","Statement":[{"Sid":"BaseAthenaPermissions","Effect":"Allow","Action":["athena:*"],"Resource":["*"]},{"Sid":"BaseGluePermissions","Effect":"Allow","Action":["glue:GetDatabase","glue:GetDatabases","glue:GetTable","glue:GetTables","glue:GetPartition","glue:GetPartitions"],"Resource":["*"]},{"Sid":"BaseQueryResultsPermissions","Effect":"Allow","Action":["s3:GetBucketLocation","s3:GetObject","s3:ListBucket","s3:ListBucketMultipartUploads","s3:ListMultipartUploadParts","s3:AbortMultipartUpload","s3:CreateBucket","s3:PutObject","s3:PutBucketPublicAccessBlock"],"Resource":["arn:aws:s3:::aws-athena-query-results-*"]}]}`},
		{"/", "AmazonDynamoDBReadOnlyAccess", "ANPAIY2XFNA232XJ6J7X2", "v1", "2015-02-06T18:40:19Z",
			`{"Version":"2012-10-17","Statement":[{"Action":["application-autoscaling:DescribeScalableTargets","cloudwatch:DescribeAlarms","cloudwatch:GetMetricStatistics","dynamodb:BatchGetItem","dynamodb:Describe*","dynamodb:List*","dynamodb:GetItem","dynamodb:Query","dynamodb:Scan","dynamodb:PartiQLSelect"],"Effect":"Allow","Resource":"*"}]}`},
		{"/", "CloudWatchAgentServerPolicy", "ANPAIGOPKN7KRDAKTLG4I", "v1", "2017-09-13T00:00:35Z",
			`{"Version":"2012-10-17","Statement":[{"Sid":"CWACloudWatchServerPermissions","Effect":"Allow","Action":["cloudwatch:PutMetricData","ec2:DescribeVolumes","ec2:DescribeTags","logs:PutLogEvents","logs:PutRetentionPolicy","logs:DescribeLogStreams","logs:DescribeLogGroups","logs:CreateLogStream","logs:CreateLogGroup","xray:PutTraceSegments","xray:PutTelemetryRecords","xray:GetSamplingRules","xray:GetSamplingTargets","xray:GetSamplingStatisticSummaries"],"Resource":"*"},{"Sid":"CWASSMServerPermissions","Effect":"Allow","Action":["ssm:GetParameter"],"Resource":"arn:aws:ssm:*:*:parameter/AmazonCloudWatch-*"}]}`},
		{"/", "AmazonSQSFullAccess", "ANPAI65L554VRJ33ECQS6", "v1", "2015-02-06T18:41:07Z",
			`{"Version":"2012-10-17","Statement":[{"Action":["sqs:*"],"Effect":"Allow","Resource":"*"}]}`},
		{"/service-role/", "AmazonEBSCSIDriverPolicy", "ANPAZKAPJZG4JJSHHTA4R", "v1", "2022-04-04T17:24:29Z",
			`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["ec2:CreateSnapshot","ec2:AttachVolume","ec2:DetachVolume","ec2:ModifyVolume","ec2:DescribeAvailabilityZones","ec2:DescribeInstances","ec2:DescribeSnapshots","ec2:DescribeTags","ec2:DescribeVolumes","ec2:DescribeVolumesModifications"],"Resource":"*"},{"Effect":"Allow","Action":["ec2:CreateTags"],"Resource":["arn:aws:ec2:*:*:volume/*","arn:aws:ec2:*:*:snapshot/*"],"Condition":{"StringEquals":{"ec2:CreateAction":["CreateVolume","CreateSnapshot"]}}},{"Effect":"Allow","Action":["ec2:CreateVolume"],"Resource":"*","Condition":{"StringLike":{"aws:RequestTag/ebs.csi.aws.com/cluster":"true"}}},{"Effect":"Allow","Action":["ec2:DeleteVolume","ec2:DeleteSnapshot"],"Resource":"*","Condition":{"StringLike":{"ec2:ResourceTag/ebs.csi.aws.com/cluster":"true"}}}]}`},
	} {
		created, err := time.Parse(time.RFC3339, m.created)
		if err != nil {
			panic(err)
		}
		p := &policy{Name: m.name, Path: m.path, ID: m.id, Created: created, Updated: created, Default: m.version,
			Versions: []*policyVersion{{ID: m.version, Doc: m.doc, Created: created}}}
		if err := validatePolicyDocument(m.doc, docIdentity); err != nil {
			panic("emulator: catalogue policy " + m.name + ": " + err.Error())
		}
		awsManaged[m.path+m.name] = p
	}
}

// isAWSManaged reports whether the ARN names an AWS-managed policy.
func isAWSManaged(arn string) bool {
	_, owner, _, _, ok := parsePolicyArn(arn)
	return ok && owner == "aws"
}

// awsManagedArn is the ARN of a catalogue policy in the account's partition.
func (a *account) awsManagedArn(key string) string {
	return "arn:" + a.partition() + ":iam::aws:policy" + key
}
