package live

import (
	"context"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sts"

	"github.com/irsa-sync/irsa-sync/internal/emulator"
)

// TestCheckIdentityPartition checks that the partition is taken from the
// caller's ARN and refused when the file's regions imply another.
func TestCheckIdentityPartition(t *testing.T) {
	t.Parallel()
	const id = "111122223333"
	tests := []struct {
		name, pinned, region, want string
		wantPartition, wantErr     string
	}{
		{name: "commercial, file says nothing", pinned: "aws", region: "us-east-1", wantPartition: "aws"},
		{name: "GovCloud as the file says", pinned: "aws-us-gov", region: "us-gov-west-1", want: "aws-us-gov", wantPartition: "aws-us-gov"},
		{name: "China as the file says", pinned: "aws-cn", region: "cn-north-1", want: "aws-cn", wantPartition: "aws-cn"},
		{name: "commercial credentials, GovCloud clusters", pinned: "aws", region: "us-east-1", want: "aws-us-gov",
			wantErr: `account "prod": its credentials are of partition aws (arn:aws:iam::111122223333:`},
		{name: "China credentials, commercial clusters", pinned: "aws-cn", region: "cn-north-1", want: "aws",
			wantErr: "but its clusters' regions are in partition aws"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			emu := emulator.New(emulator.Options{})
			url, err := emu.Start()
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = emu.Close() })
			c, err := emu.EnsureAccountInPartition(id, tt.pinned)
			if err != nil {
				t.Fatal(err)
			}
			client := sts.NewFromConfig(aws.Config{Region: tt.region, BaseEndpoint: aws.String(url),
				Credentials: credentials.NewStaticCredentialsProvider(c.AccessKeyID, c.SecretAccessKey, c.SessionToken)})
			got, err := CheckIdentity(context.Background(), client, "prod", id, tt.want)
			switch {
			case tt.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("err = %v, want one containing %q", err, tt.wantErr)
				}
			case err != nil:
				t.Fatal(err)
			case got != tt.wantPartition:
				t.Errorf("partition = %q, want %q", got, tt.wantPartition)
			}
		})
	}
}
