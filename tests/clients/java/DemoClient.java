// A third real SOAP client: Java's JAX-WS reference implementation (Debian's libjaxws-java), with
// stubs that `wsimport -p scoregate.demo` generates from the demo service's own ?wsdl, as a Java
// caller of the loan risk service would have them. One AssessCreditApplication call; the answer
// goes to stdout as key=value lines, a SOAP fault as fault=... lines and exit code 3.
//
//   java DemoClient WSDL_URL ENDPOINT soap11|soap12 BIRTH_DATE

import java.math.BigDecimal;
import java.net.URL;
import java.util.Map;
import javax.xml.bind.JAXBElement;
import javax.xml.datatype.DatatypeFactory;
import javax.xml.namespace.QName;
import javax.xml.ws.BindingProvider;
import javax.xml.ws.soap.SOAPFaultException;

import scoregate.demo.Address;
import scoregate.demo.AddressTypeCode;
import scoregate.demo.Applicant;
import scoregate.demo.ArrayOfAddress;
import scoregate.demo.BureauSummary;
import scoregate.demo.CreditApplication;
import scoregate.demo.EmploymentDetails;
import scoregate.demo.LoanDetails;
import scoregate.demo.LoanRiskService;
import scoregate.demo.LoanRiskServiceSoap;
import scoregate.demo.ResidentialStatusCode;
import scoregate.demo.RiskAssessment;
import scoregate.demo.RiskServiceFaultMessage;
import scoregate.demo.YesNoIndicator;

public final class DemoClient {
    private static final String NS = "http://risk.northwind-bank.example/LoanRisk/2011/03";

    private DemoClient() {
    }

    private static <T> JAXBElement<T> element(String name, Class<T> type, T value) {
        return new JAXBElement<>(new QName(NS, name), type, value);
    }

    /** The demo applicant (tests/adapters/soap/soap_support.py legacy_application), as Java sends it. */
    static CreditApplication application(String birthDate) throws Exception {
        CreditApplication application = new CreditApplication();
        application.setApplicationNo("LN20110342");
        application.setBranchCode("0417");
        Applicant applicant = new Applicant();
        applicant.setCustomerId("C-88213");
        applicant.setDateOfBirth(DatatypeFactory.newInstance().newXMLGregorianCalendar(birthDate));
        applicant.setResidentialStatus(ResidentialStatusCode.M);
        applicant.setNumberOfDependants(2);
        EmploymentDetails employment = new EmploymentDetails();
        employment.setEmployerName("Contoso Ltd");
        employment.setYearsEmployed(new BigDecimal("6.5"));
        employment.setGrossAnnualIncome(new BigDecimal("58000.00"));
        applicant.setEmployment(employment);
        ArrayOfAddress addresses = new ArrayOfAddress();
        for (Object[] row : new Object[][] {{AddressTypeCode.CURR, "EC1A 1BB", 4}, {AddressTypeCode.PREV, "N1 9GU", 7}}) {
            Address address = new Address();
            address.setAddressType((AddressTypeCode) row[0]);
            address.setPostCode((String) row[1]);
            address.setYearsAtAddress((Integer) row[2]);
            addresses.getAddress().add(address);
        }
        applicant.setAddresses(addresses);
        applicant.setSavingsBalance(element("SavingsBalance", BigDecimal.class, new BigDecimal("4200.00")));
        application.setApplicant(applicant);
        LoanDetails loan = new LoanDetails();
        loan.setProductCode("PL36");
        loan.setPurposeCode("04");
        loan.setAmountRequested(new BigDecimal("15000.00"));
        loan.setTermMonths(36);
        loan.setOfferedRateBps(790);
        loan.setCoSignerInd(YesNoIndicator.N);
        application.setLoan(loan);
        BureauSummary bureau = new BureauSummary();
        bureau.setDebtToIncomeRatio(element("DebtToIncomeRatio", BigDecimal.class, new BigDecimal("0.31")));
        bureau.setRevolvingUtilPct(element("RevolvingUtilPct", BigDecimal.class, new BigDecimal("42")));
        bureau.setOpenTradelines(7);
        bureau.setCreditHistoryYears(element("CreditHistoryYears", BigDecimal.class, new BigDecimal("12.0")));
        bureau.setDelinquencies24M(0);
        JAXBElement<Integer> none = element("MonthsSinceLastDelinq", Integer.class, null);
        none.setNil(true);
        bureau.setMonthsSinceLastDelinq(none);
        bureau.setInquiries6M(1);
        bureau.setBankruptcies(0);
        application.setBureau(bureau);
        return application;
    }

    public static void main(String[] args) throws Exception {
        LoanRiskService service = new LoanRiskService(new URL(args[0]), new QName(NS, "LoanRiskService"));
        LoanRiskServiceSoap port = "soap12".equals(args[2]) ? service.getLoanRiskServiceSoap12() : service.getLoanRiskServiceSoap();
        Map<String, Object> context = ((BindingProvider) port).getRequestContext();
        context.put(BindingProvider.ENDPOINT_ADDRESS_PROPERTY, args[1]);
        try {
            RiskAssessment answer = port.assessCreditApplication(application(args[3]));
            System.out.println("ApplicationNo=" + answer.getApplicationNo());
            System.out.println("DecisionCode=" + answer.getDecision().getDecisionCode().value());
            System.out.println("RiskScore=" + answer.getDecision().getRiskScore());
            System.out.println("ProbabilityOfDefault=" + answer.getDecision().getProbabilityOfDefault().toPlainString());
            System.out.println("ReasonCodes=" + String.join(",", answer.getReasonCodes().getReasonCode()));
            System.out.println("ScorecardId=" + answer.getScorecardId());
        } catch (RiskServiceFaultMessage fault) {
            System.out.println("fault=" + fault.getMessage());
            System.out.println("faultErrorCode=" + fault.getFaultInfo().getErrorCode());
            System.exit(3);
        } catch (SOAPFaultException fault) {
            System.out.println("fault=" + fault.getFault().getFaultString());
            System.exit(3);
        }
    }
}
